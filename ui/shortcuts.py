"""Keyboard shortcuts of the studio's page, as the script Gradio runs when the page loads.

Ctrl+Enter (⌘+Enter on a Mac) anywhere in a tab presses that tab's main button: every tab's
panel has an element id `tab-<name>` and its main button `<name>-run` (ui/app.py keeps the
convention), so a tab added later gets the shortcut without code here. Gradio's own Enter
submits only one-line boxes, and Enter in a text of several lines must stay a new line.
"""

SHORTCUTS_JS = """
() => {
  document.addEventListener("keydown", (event) => {
    if (event.key !== "Enter" || !(event.ctrlKey || event.metaKey) || event.isComposing) return;
    const tab = event.target.closest ? event.target.closest("[id^='tab-']") : null;
    const run = tab ? tab.querySelector("button[id$='-run']") : null;
    if (run && !run.disabled && run.offsetParent !== null) {
      event.preventDefault();
      run.click();
    }
  }, true);
}
"""
