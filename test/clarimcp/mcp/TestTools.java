package clarimcp.mcp;

import clarimcp.json.Json;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** Tools that exist only in tests, to drive the dispatcher without Clari. */
final class TestTools {
    private TestTools() {}

    static final Json.Obj NO_ARGS = Json.Obj.builder().put("type", "object").put("additionalProperties", false).build();

    /** A tool with the given behaviour and fixed metadata. */
    record Simple(String name, Json.Obj outputSchema, Body body) implements Tool {
        interface Body {
            ToolResult run(Json.Obj args, ToolContext ctx) throws ToolException, InterruptedException;
        }

        @Override
        public String title() {
            return "Test " + name;
        }

        @Override
        public String description() {
            return "test tool " + name;
        }

        @Override
        public Json.Obj inputSchema() {
            return NO_ARGS;
        }

        @Override
        public Json.Obj annotations() {
            return Json.Obj.builder().put("readOnlyHint", true).build();
        }

        @Override
        public ToolResult call(Json.Obj arguments, ToolContext context) throws ToolException, InterruptedException {
            return body.run(arguments, context);
        }
    }

    static final Json.Obj ECHO_SCHEMA = Json.Obj.builder().put("type", "object").build();

    /** Signalled when the "wait" tool sees its interruption (cancellation reached the tool). */
    static final class Probe {
        final CountDownLatch started = new CountDownLatch(1);
        final CountDownLatch interrupted = new CountDownLatch(1);
    }

    static List<Tool> all(Probe probe) {
        return List.of(
                new Simple("echo", ECHO_SCHEMA, (a, c) -> ToolResult.ok("echo " + a.members().keySet(), a)),
                new Simple("fail", null, (a, c) -> {
                    throw new ToolException("'x' is required");
                }),
                new Simple("boom", null, (a, c) -> {
                    throw new IllegalStateException("secret detail that must not reach the client");
                }),
                new Simple("progress", null, (a, c) -> {
                    for (int i = 1; i <= 3; i++) c.progress(i, 3.0, "step " + i);
                    c.log("warning", "halfway");
                    c.log("debug", "hidden below the level");
                    return ToolResult.ok("done", null);
                }),
                new Simple("wait", null, (a, c) -> {
                    probe.started.countDown();
                    try {
                        Thread.sleep(TimeUnit.SECONDS.toMillis(30));
                    } catch (InterruptedException e) {
                        probe.interrupted.countDown();
                        throw e;
                    }
                    return ToolResult.ok("not cancelled", null);
                }));
    }

    /** Tools that end in an Error or an oversized answer, for the runner's last line of defence. */
    static List<Tool> breaking() {
        return List.of(
                new Simple("oom", null, (a, c) -> {
                    throw new OutOfMemoryError("Java heap space");
                }),
                new Simple("deep", null, (a, c) -> {
                    throw new StackOverflowError();
                }),
                new Simple("huge", ECHO_SCHEMA, (a, c) -> ToolResult.ok("short text",
                        Json.Obj.builder().put("items", Json.Arr.ofStrings(java.util.Collections.nCopies(11_000, "x".repeat(90)))).build())));
    }
}
