package clarimcp.mcp;

import clarimcp.json.Json;
import clarimcp.jsonrpc.Message;
import clarimcp.jsonrpc.MessageWriter;
import java.math.BigDecimal;
import java.util.function.Supplier;

/**
 * What one running tools/call may do besides returning: progress (basic/utilities/progress, only with a
 * progressToken) and log notifications (server/utilities/logging, at or above the client's level), both
 * only while the call runs; and its HTTP exchanges, counted for the call log.
 */
final class CallContext implements Tool.Context {
    private final MessageWriter out;
    private final InFlight.Call call;
    private final Json progressToken;
    private final ProtocolVersion version;
    private final Supplier<LogLevel> minLevel;
    private final String logger;
    private final CallMeter meter;

    CallContext(MessageWriter out, InFlight.Call call, Json progressToken, ProtocolVersion version, Supplier<LogLevel> minLevel,
            String logger, CallMeter meter) {
        this.out = out;
        this.call = call;
        this.progressToken = progressToken;
        this.version = version;
        this.minLevel = minLevel;
        this.logger = logger;
        this.meter = meter;
    }

    @Override
    public void httpExchange(String method, String pathTemplate, int status) {
        meter.exchange(method, pathTemplate, status);
    }

    @Override
    public void progress(double progress, Double total, String message) {
        if (progressToken == null || !call.running()) return;
        Json.Builder p = Json.Obj.builder().put("progressToken", progressToken).put("progress", number(progress));
        if (total != null) p.put("total", number(total));
        if (message != null && version != ProtocolVersion.V2024_11_05) p.put("message", message);
        out.send(Message.notification("notifications/progress", p.build()));
    }

    @Override
    public void log(String level, String message) {
        LogLevel l = LogLevel.parse(level).orElse(LogLevel.INFO);
        if (l.compareTo(minLevel.get()) < 0 || !call.running()) return;
        out.send(Message.notification("notifications/message", Json.Obj.builder()
                .put("level", l.wire()).put("logger", logger).put("data", message).build()));
    }

    private static Json number(double d) {
        return d == Math.rint(d) && Math.abs(d) < 1e15 ? Json.Num.of((long) d) : Json.Num.of(BigDecimal.valueOf(d));
    }
}
