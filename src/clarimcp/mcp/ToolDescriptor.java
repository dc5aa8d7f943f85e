package clarimcp.mcp;

import clarimcp.json.Json;

/**
 * The tools/list entry of a tool (MCP "Tool" type). Fields that a protocol version does not
 * define are left out for that version: title and outputSchema arrived in 2025-06-18, and
 * annotations in 2025-03-26.
 */
public final class ToolDescriptor {
    private ToolDescriptor() {}

    public static Json.Obj of(Tool tool, ProtocolVersion version) {
        Json.Builder b = Json.Obj.builder().put("name", tool.name());
        if (version.hasTitles()) b.put("title", tool.title());
        b.put("description", tool.description()).put("inputSchema", tool.inputSchema());
        if (version.hasStructuredContent() && tool.outputSchema() != null) {
            b.put("outputSchema", tool.outputSchema());
        }
        if (version.hasToolAnnotations()) b.put("annotations", tool.annotations());
        return b.build();
    }
}
