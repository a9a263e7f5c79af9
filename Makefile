.PHONY: setup demo desk test bench

setup:
	scripts/setup.sh

# One command: set up and run the demo (ingest the demo corpus, check the seed claim).
demo: setup
	scripts/demo.sh

# Open the web desk on the demo corpus (prints an editor token).
desk: setup
	scripts/desk.sh

# One command: set up and run every test (starts its own PostgreSQL, uses Debian chromium).
test:
	FACTDESK_EXTRAS=train,ray,llm scripts/setup.sh
	scripts/test.sh

bench: setup
	bench/run_all
