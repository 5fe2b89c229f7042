"""The web chat on the reports (python app.py --help): a thin shell over assistant.web."""

from assistant.web.server import main

if __name__ == "__main__":
    main()
