# Thin wrapper: the work is in build.sh (compile, jar, jlink) and test/run.sh (JUnit), so the
# same steps run with or without make. Both use the JDK that `build.sh --print-java-home` finds.
# Later targets (demo, sandbox, bench, audit, dist) go below `clean`.

.POSIX:
.PHONY: all test clean demo sandbox

all:
	bash build.sh

# Builds the image first: the end-to-end tests run build/image/bin/clari-revops-mcp.
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
