package clarimcp.mcp;

import java.util.Locale;
import java.util.Optional;

/** The RFC 5424 severities MCP logging uses (server/utilities/logging), least severe first. */
public enum LogLevel {
    DEBUG, INFO, NOTICE, WARNING, ERROR, CRITICAL, ALERT, EMERGENCY;

    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<LogLevel> parse(String wire) {
        for (LogLevel l : values()) {
            if (l.wire().equals(wire)) return Optional.of(l);
        }
        return Optional.empty();
    }
}
