# Thin wrapper: the work is in build.sh (compile, jar, jlink) and test/run.sh (JUnit), so the
# same steps run with or without make. Both use the JDK that `build.sh --print-java-home` finds.
# Later targets (demo, sandbox, bench, audit, dist) go below `clean`.

.POSIX:
.PHONY: all test clean demo sandbox audit fuzz bench dist clients

all:
	bash build.sh

# Builds the image first: the end-to-end tests run build/image/bin/clari-revops-mcp.
# TESTS="ClassA ClassB" runs only those test classes (simple names).
test: all
	bash test/run.sh

clean:
	rm -rf build

# The main job on the bundled default: the three RevOps questions against the Clari sandbox.
demo: all
	bash test/demo.sh

# The Clari sandbox on its own (prints its URL and token), for Claude Desktop or the MCP Inspector.
sandbox: all
	bash test/demo.sh --sandbox

# The security audit: source size, JDK-only imports, one-way package dependencies, no reflection,
# processes, deserialization or stdout outside the transport, and the image's modules (see SECURITY.md).
# Needs no build; lists the modules when build/image exists. Takes about a second.
audit:
	bash test/audit.sh

# The long mutation fuzz (FUZZ_CASES, FUZZ_LAUNCHER_CASES, FUZZ_SEED; see test/fuzz.sh).
fuzz: all
	bash test/fuzz.sh

# The benchmark (not a test; a few minutes): start-up side by side with a minimal Java program made
# the same way, peak memory, round trips, forecast overhead, 1,000 vs 100 ids, JSON parse throughput.
# Prints a table and writes it to build/bench.md.
bench: all
	bash test/clarimcp/bench/bench.sh

# Release files for this platform in build/dist/: the image as .tar.gz (.zip on Windows) and the MCP
# Bundle (.mcpb) Claude Desktop installs in one click, each with a .sha256 (see packaging/dist.sh).
dist: all
	bash packaging/dist.sh

# README's Claude Code command run by the real `claude` CLI (npm, kept in build/clients) in a throw-away
# HOME against the sandbox; `claude mcp list` must show Connected. Skipped, saying why, without npm.
clients: all
	bash test/clients.sh
