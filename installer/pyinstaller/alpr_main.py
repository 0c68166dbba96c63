# Entry point of the bundled program: the same as the ``alpr`` console script.
import sys

from app.cli.main import main

if __name__ == "__main__":
    sys.exit(main())
