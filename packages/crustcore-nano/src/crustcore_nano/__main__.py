from crustcore_nano.cli import main

raise SystemExit(main())
