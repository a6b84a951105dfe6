from floorsup.cli import main

raise SystemExit(main())
