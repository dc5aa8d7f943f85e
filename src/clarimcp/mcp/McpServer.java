package clarimcp.mcp;

import clarimcp.json.Json;
import clarimcp.json.JsonException;
import clarimcp.json.JsonParser;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * One MCP session over stdio: lifecycle and version negotiation (basic/lifecycle), dispatch of ping,
 * logging/setLevel, tools/list and tools/call, prompts/list and prompts/get (server/prompts), cancellation and
 * progress. The reader thread answers cheap requests itself; each tools/call (and each batch) runs on its own
 * virtual thread, so ping and notifications/cancelled are handled while a call runs.
 */
public final class McpServer {
    /** What initialize reports about this server. */
    public record ServerInfo(String name, String title, String version, String instructions) {}

    /**
     * One MCP prompt (server/prompts): a named, parameterised user message that clients show as a command.
     * Like a {@link Tool}, it is its definition beside its handler. The renderer builds the message text from
     * declared arguments only ({@link #get} refuses others and missing required ones) and throws
     * IllegalArgumentException with a short reason for a bad value; that becomes a -32602 error.
     */
    public record Prompt(String name, String title, String description, List<Argument> arguments,
            Function<Map<String, String>, String> renderer) {
        /** One argument; MCP prompt arguments are strings. */
        public record Argument(String name, String description, boolean required) {}

        public Prompt {
            arguments = List.copyOf(arguments);
        }

        /** The prompts/list entry; title only for versions that have titles. */
        Json.Obj descriptor(ProtocolVersion version) {
            List<Json> args = new ArrayList<>(arguments.size());
            for (Argument a : arguments) {
                args.add(Json.obj("name", a.name(), "description", a.description(), "required", a.required()));
            }
            return Json.obj("name", name, "title", version.hasTitles() ? title : null, "description", description,
                    "arguments", args);
        }

        /**
         * The prompts/get result for the arguments as received (absent, null or an object of strings; blank
         * counts as absent): the description and one user message holding the rendered text. A missing required
         * argument, an undeclared one or a value the renderer refuses throws IllegalArgumentException.
         */
        Json.Obj get(Json given) {
            if (given != null && !(given instanceof Json.Obj) && !(given instanceof Json.Null)) {
                throw new IllegalArgumentException("arguments must be an object of strings");
            }
            Map<String, Json> raw = given instanceof Json.Obj o ? o.members() : Map.of();
            Map<String, String> args = new LinkedHashMap<>();
            for (Argument a : arguments) {
                Json v = raw.get(a.name());
                if (v instanceof Json.Str s && !s.value().isBlank()) {
                    args.put(a.name(), s.value().strip());
                } else if (v != null && !(v instanceof Json.Null) && !(v instanceof Json.Str)) {
                    throw new IllegalArgumentException("argument " + a.name() + " must be a string");
                } else if (a.required()) {
                    throw new IllegalArgumentException("missing argument " + a.name());
                }
            }
            for (String k : raw.keySet()) {
                if (arguments.stream().noneMatch(a -> a.name().equals(k))) {
                    throw new IllegalArgumentException("unknown argument " + Wire.clip(k) + " for " + name);
                }
            }
            Json.Obj content = Json.obj("type", "text", "text", renderer.apply(args));
            Json.Obj message = Json.obj("role", "user", "content", content);
            return Json.obj("description", description, "messages", List.of(message));
        }
    }

    private final Map<String, Tool> tools = new LinkedHashMap<>();
    private final Map<String, Prompt> prompts = new LinkedHashMap<>();
    private final ServerInfo info;
    private final Wire.Writer out;
    private final PrintStream diagnostics;
    private final CallLog callLog;
    private final InFlight inFlight = new InFlight();
    private final Object initLock = new Object();
    private volatile ProtocolVersion version; // null until initialize has been answered
    private volatile CallLog.Level minLogLevel = CallLog.Level.WARNING;

    /**
     * prompts: offered through prompts/list and prompts/get; none means no prompts capability. callLog receives
     * one record per tools/call, refused ones included.
     */
    public McpServer(List<Tool> tools, List<Prompt> prompts, ServerInfo info, Wire.Writer out, PrintStream diagnostics,
            CallLog callLog) {
        for (Tool t : tools) {
            if (this.tools.putIfAbsent(t.name(), t) != null) throw new IllegalArgumentException("duplicate tool " + t.name());
        }
        for (Prompt p : prompts) {
            if (this.prompts.putIfAbsent(p.name(), p) != null) throw new IllegalArgumentException("duplicate prompt " + p.name());
        }
        this.info = info;
        this.out = out;
        this.diagnostics = diagnostics;
        this.callLog = callLog;
    }

    /** Serves until end of input, then cancels whatever is still running (its replies are dropped). */
    public void serve(InputStream in) throws IOException {
        Wire.Reader reader = new Wire.Reader(in, Wire.MAX_LINE_BYTES);
        for (Wire.Line line; (line = reader.next()) != null; ) {
            if (line.tooLong()) {
                out.send(Rpc.invalidRequest(Json.Null.NULL, "message longer than " + Wire.MAX_LINE_BYTES + " bytes"));
                continue;
            }
            if (isBlank(line.bytes())) continue;
            Json json;
            try {
                json = JsonParser.parse(line.bytes(), Wire.MAX_LINE_BYTES);
            } catch (JsonException e) {
                out.send(Rpc.parseError());
                continue;
            }
            if (json instanceof Json.Arr batch) {
                onBatch(batch);
            } else {
                Json reply = handle(json, false);
                if (reply != null) out.send(reply);
            }
        }
        inFlight.cancelAll();
    }

    /**
     * One message (alone, or an item of a batch); its reply, or null for none. Bad calls are answered at once, in
     * order; a valid tools/call is registered in flight before any thread runs it, so a cancellation that follows
     * at once is not lost, and runs on a thread of its own when it comes alone, in place in a batch.
     */
    private Json handle(Json json, boolean inBatch) {
        Rpc m;
        try {
            m = Rpc.from(json);
        } catch (Rpc.Invalid e) {
            return Rpc.invalidRequest(e.id, e.getMessage());
        }
        // instanceof, not a pattern switch: a switch over types bootstraps a class at first use (SwitchBootstraps)
        // that the start-up cache does not keep, and the initialize request comes through here.
        // An Rpc.Response needs nothing: we send no requests, so there is nothing to match.
        if (m instanceof Rpc.Notification n) {
            // notifications/initialized and unknown notifications need no action and get no reply
            if (n.method().equals("notifications/cancelled") && n.params() instanceof Json.Obj p
                    && p.get("requestId") instanceof Json id) {
                inFlight.cancel(id);
            }
        } else if (m instanceof Rpc.Request q && inBatch && q.method().equals("initialize")) {
            return Rpc.invalidRequest(q.id(), "initialize must not be part of a batch");
        } else if (m instanceof Rpc.Request q && q.method().equals("tools/call") && version != null) {
            Json refusal = refuseCall(q);
            InFlight.Call call = refusal == null ? inFlight.start(q.id()) : null;
            if (refusal == null && call == null) {
                refusal = Rpc.invalidRequest(q.id(), "id already in use or too many calls in flight");
            }
            if (refusal != null) {
                logRefused(q);
                return refusal;
            }
            if (inBatch) {
                Json reply = runCall(q, call);
                Thread.interrupted(); // a cancellation of this item must not leak into the next one
                return reply;
            }
            Thread.ofVirtual().name("tools/call").start(() -> {
                Json reply = runCall(q, call);
                if (reply != null) out.send(reply);
            });
        } else if (m instanceof Rpc.Request q) {
            return onRequest(q);
        }
        return null;
    }

    /** JSON-RPC batches exist only in 2025-03-26 (added there, removed in 2025-06-18). */
    private void onBatch(Json.Arr batch) {
        ProtocolVersion v = version;
        String refusal = v == null || !v.allowsBatches() ? "batches are not supported in this protocol version"
                : batch.items().isEmpty() ? "empty batch" : null;
        if (refusal != null) {
            out.send(Rpc.invalidRequest(Json.Null.NULL, refusal));
            return;
        }
        Thread.ofVirtual().name("batch").start(() -> {
            List<Json> replies = new ArrayList<>();
            for (Json item : batch.items()) {
                Json reply = handle(item, true);
                if (reply != null) replies.add(reply);
            }
            if (!replies.isEmpty()) out.send(new Json.Arr(replies));
        });
    }

    /** Answers every request except tools/call. */
    private Json onRequest(Rpc.Request q) {
        ProtocolVersion v = version;
        String method = q.method();
        // server/discover, the 2026-07-28 probe, is answered at once with -32601 (the default below), even before
        // initialize: that makes dual-era clients fall back to initialize.
        if (v == null && !method.equals("initialize") && !method.equals("ping") && !method.equals("server/discover")) {
            return Rpc.invalidRequest(q.id(), "server not initialized; send initialize first");
        }
        if (prompts.isEmpty() && method.startsWith("prompts/")) { // no prompts capability
            return Rpc.methodNotFound(q.id(), method);
        }
        return switch (method) {
            case "initialize" -> initialize(q);
            case "ping" -> Rpc.result(q.id(), Json.Obj.EMPTY);
            case "tools/list" -> Rpc.result(q.id(), listTools(v));
            case "logging/setLevel" -> setLevel(q);
            case "prompts/list" -> Rpc.result(q.id(), listPrompts(v));
            case "prompts/get" -> getPrompt(q);
            default -> Rpc.methodNotFound(q.id(), method);
        };
    }

    private Json initialize(Rpc.Request q) {
        if (!(q.params() instanceof Json.Obj p) || !(p.get("protocolVersion") instanceof Json.Str requested)) {
            return Rpc.invalidParams(q.id(), "protocolVersion must be a string");
        }
        ProtocolVersion v = ProtocolVersion.negotiate(requested.value());
        synchronized (initLock) {
            if (version != null) return Rpc.invalidRequest(q.id(), "already initialized");
            version = v;
        }
        Json.Obj capabilities = Json.obj("logging", Json.Obj.EMPTY, "tools", Json.obj("listChanged", false),
                "prompts", prompts.isEmpty() ? null : Json.obj("listChanged", false));
        Json.Obj server = Json.obj("name", info.name(), "title", v.hasTitles() ? info.title() : null,
                "version", info.version());
        return Rpc.result(q.id(), Json.obj("protocolVersion", v.wire(), "capabilities", capabilities,
                "serverInfo", server, "instructions", info.instructions()));
    }

    private Json.Obj listTools(ProtocolVersion v) {
        List<Json> list = new ArrayList<>(tools.size());
        for (Tool t : tools.values()) list.add(t.descriptor(v));
        return Json.obj("tools", list);
    }

    private Json.Obj listPrompts(ProtocolVersion v) {
        List<Json> list = new ArrayList<>(prompts.size());
        for (Prompt p : prompts.values()) list.add(p.descriptor(v));
        return Json.obj("prompts", list);
    }

    /** prompts/get: an unknown prompt, a missing or undeclared argument, or a bad value is -32602 (server/prompts). */
    private Json getPrompt(Rpc.Request q) {
        if (!(q.params() instanceof Json.Obj p) || !(p.get("name") instanceof Json.Str name)) {
            return Rpc.invalidParams(q.id(), "name must be a string");
        }
        Prompt prompt = prompts.get(name.value());
        if (prompt == null) {
            return Rpc.invalidParams(q.id(), "unknown prompt; prompts/list names " + String.join(", ", prompts.keySet()));
        }
        try {
            return Rpc.result(q.id(), prompt.get(p.get("arguments")));
        } catch (IllegalArgumentException e) {
            return Rpc.invalidParams(q.id(), e.getMessage());
        }
    }

    private Json setLevel(Rpc.Request q) {
        CallLog.Level level = q.params() instanceof Json.Obj p && p.get("level") instanceof Json.Str s
                ? CallLog.Level.parse(s.value()) : null;
        if (level == null) {
            return Rpc.invalidParams(q.id(), "level must be one of debug, info, notice, warning, error, critical, alert, emergency");
        }
        minLogLevel = level;
        return Rpc.result(q.id(), Json.Obj.EMPTY);
    }

    /** Runs a tools/call that refuseCall accepted, on the current thread; null when it was cancelled (no reply at all). */
    private Json runCall(Rpc.Request q, InFlight.Call call) {
        call.attach(Thread.currentThread());
        Json.Obj p = (Json.Obj) q.params();
        Tool tool = tools.get(p.str("name"));
        Json args = p.get("arguments");
        Json token = p.obj("_meta") == null ? null : p.obj("_meta").get("progressToken");
        Json progressToken = token instanceof Json.Str || token instanceof Json.Num ? token : null;
        CallLog.Meter meter = new CallLog.Meter(callLog, tool.name(), args);
        // What the call may do besides returning: progress (basic/utilities/progress, only with a progressToken) and
        // log notifications (server/utilities/logging, at or above the client's level), both only while it runs;
        // and its HTTP exchanges, counted for the call log.
        Tool.Context context = new Tool.Context() {
            @Override
            public void httpExchange(String method, String pathTemplate, int status) {
                meter.exchange(method, pathTemplate, status);
            }

            @Override
            public void progress(double progress, Double total, String message) {
                if (progressToken == null || !call.running()) return;
                out.send(Rpc.notification("notifications/progress", Json.obj("progressToken", progressToken,
                        "progress", number(progress), "total", total == null ? null : number(total),
                        "message", version == ProtocolVersion.V2024_11_05 ? null : message)));
            }

            @Override
            public void log(String level, String message) {
                CallLog.Level l = Objects.requireNonNullElse(CallLog.Level.parse(level), CallLog.Level.INFO);
                if (l.compareTo(minLogLevel) < 0 || !call.running()) return;
                out.send(Rpc.notification("notifications/message",
                        Json.obj("level", l.wire(), "logger", info.name(), "data", message)));
            }
        };
        CallLog.Outcome outcome = CallLog.Outcome.CANCELLED;
        try {
            Tool.Result result = tool.run(args == null ? Json.Obj.EMPTY : (Json.Obj) args, context, diagnostics);
            if (!call.finish()) return null;
            outcome = CallLog.Outcome.of(result);
            return result == null ? Rpc.internalError(q.id()) : Rpc.result(q.id(), callResult(result, version));
        } catch (InterruptedException e) {
            return null; // cancelled, or the client went away: either way nobody wants the answer
        } finally {
            meter.finish(outcome);
            inFlight.end(q.id(), call);
        }
    }

    /** A tools/call answered with a protocol error before it ran: logged with the tool only when it is ours. */
    private void logRefused(Rpc.Request q) {
        Json.Obj p = q.params() instanceof Json.Obj o ? o : Json.Obj.EMPTY;
        String name = p.get("name") instanceof Json.Str s && tools.containsKey(s.value()) ? s.value() : null;
        new CallLog.Meter(callLog, name, p.get("arguments")).finish(CallLog.Outcome.PROTOCOL_ERROR);
    }

    /** The protocol error for a malformed tools/call, or null when it may run (tools/call in server/tools). */
    private Json refuseCall(Rpc.Request q) {
        if (!(q.params() instanceof Json.Obj p) || !(p.get("name") instanceof Json.Str name)) {
            return Rpc.invalidParams(q.id(), "name must be a string");
        }
        if (!tools.containsKey(name.value())) {
            return Rpc.invalidParams(q.id(), "unknown tool: " + Wire.clip(name.value()));
        }
        Json args = p.get("arguments");
        if (args != null && !(args instanceof Json.Obj)) {
            return Rpc.invalidParams(q.id(), "arguments must be an object");
        }
        return null;
    }

    private static Json.Obj callResult(Tool.Result r, ProtocolVersion v) {
        Json.Obj text = Json.obj("type", "text", "text", r.text());
        Json.Obj structured = r.isError() || !v.hasStructuredContent() ? null : r.structured();
        return Json.obj("content", List.of(text), "structuredContent", structured, "isError", r.isError());
    }

    private static Json number(double d) {
        return d == Math.rint(d) && Math.abs(d) < 1e15 ? Json.Num.of((long) d) : Json.Num.of(BigDecimal.valueOf(d));
    }

    private static boolean isBlank(byte[] b) {
        for (byte c : b) {
            if (c != ' ' && c != '\t' && c != '\r') return false;
        }
        return true;
    }
}
