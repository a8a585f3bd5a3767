"""One parser per emotion input form; `conditioning.parse.parse_emotion` picks among them."""
