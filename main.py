#!/usr/bin/env python3
"""Nezarat Desk (میز ارجاع نظارت): the desktop, and the commands an office runs beside it.

python main.py                      open the desk on the default database
python main.py simulate FILE.json   replay a scenario (scenario.md)
python main.py tick                 decide every due deadline and no-show (cron, every minute)
python main.py demo                 build a believable province to try the product on
"""

from app.cli.commands import main

if __name__ == "__main__":
    raise SystemExit(main())
