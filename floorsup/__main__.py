from floorsup.cli import main

if __name__ == "__main__":  # guarded: the ingest's writer process imports this module anew
    raise SystemExit(main())
