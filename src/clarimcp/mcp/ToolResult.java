package clarimcp.mcp;

import clarimcp.json.Json;
import java.util.Objects;

/**
 * What a tool returns: compact text for the model and, when the tool declares an output schema,
 * the matching structured content (sent only when the negotiated protocol version has it).
 */
public record ToolResult(String text, Json.Obj structured, boolean isError) {
    public ToolResult {
        Objects.requireNonNull(text);
    }

    public static ToolResult ok(String text, Json.Obj structured) {
        return new ToolResult(text, structured, false);
    }

    public static ToolResult error(String text) {
        return new ToolResult(text, null, true);
    }
}
