package clarimcp.mcp;

import clarimcp.json.Json;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** Tools that exist only in tests, to drive the dispatcher without Clari. */
final class TestTools {
    private TestTools() {}

    static final Json.Obj NO_ARGS = Json.obj("type", "object", "additionalProperties", false);

    /** A tool with the given behaviour and fixed metadata. */
    static Tool simple(String name, Json.Obj outputSchema, Tool.Handler body) {
        return new Tool(name, "Test " + name, "test tool " + name, NO_ARGS, outputSchema,
                Json.obj("readOnlyHint", true), body);
    }

    static final Json.Obj ECHO_SCHEMA = Json.obj("type", "object");

    /** Signalled when the "wait" tool sees its interruption (cancellation reached the tool). */
    static final class Probe {
        final CountDownLatch started = new CountDownLatch(1);
        final CountDownLatch interrupted = new CountDownLatch(1);
    }

    static List<Tool> all(Probe probe) {
        return List.of(
                simple("echo", ECHO_SCHEMA, (a, c) -> Tool.Result.ok("echo " + a.members().keySet(), a)),
                simple("fail", null, (a, c) -> {
                    throw new Tool.Failure("'x' is required");
                }),
                simple("boom", null, (a, c) -> {
                    throw new IllegalStateException("secret detail that must not reach the client");
                }),
                simple("progress", null, (a, c) -> {
                    for (int i = 1; i <= 3; i++) c.progress(i, 3.0, "step " + i);
                    c.log("warning", "halfway");
                    c.log("debug", "hidden below the level");
                    return Tool.Result.ok("done", null);
                }),
                simple("wait", null, (a, c) -> {
                    probe.started.countDown();
                    try {
                        Thread.sleep(TimeUnit.SECONDS.toMillis(30));
                    } catch (InterruptedException e) {
                        probe.interrupted.countDown();
                        throw e;
                    }
                    return Tool.Result.ok("not cancelled", null);
                }));
    }

    /** Tools that end in an Error or an oversized answer, for the runner's last line of defence. */
    static List<Tool> breaking() {
        return List.of(
                simple("oom", null, (a, c) -> {
                    throw new OutOfMemoryError("Java heap space");
                }),
                simple("deep", null, (a, c) -> {
                    throw new StackOverflowError();
                }),
                simple("huge", ECHO_SCHEMA, (a, c) -> Tool.Result.ok("short text",
                        Json.obj("items", java.util.Collections.nCopies(11_000, "x".repeat(90))))));
    }
}
