"""The web studio: `python app.py` (or `make studio`) serves it on http://127.0.0.1:7860.
`--host`/`--port` (or $EMOSTUDIO_HOST/$EMOSTUDIO_PORT) serve elsewhere; see ui/app.py."""

if __name__ == "__main__":
    # The address answers at once (ui/starting.py) while Gradio and the models load.
    from ui.starting import main

    main()
else:
    from ui.app import TITLE, build_app, main, serve

    __all__ = ["TITLE", "build_app", "main", "serve"]
