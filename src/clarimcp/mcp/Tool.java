package clarimcp.mcp;

import clarimcp.json.Json;

/**
 * One MCP tool: its whole contract (name, title, description, schemas, annotations) beside its
 * handler. The registry is a literal list built in Main: no reflection, no discovery.
 */
public interface Tool {
    /** The tool name, matching ^[a-zA-Z0-9_-]{1,64}$ (what Claude Desktop accepts). */
    String name();

    /** A human title (sent only to clients whose protocol version has titles). */
    String title();

    /** A terse description for the model. */
    String description();

    /** The JSON Schema of the arguments (an object schema). */
    Json.Obj inputSchema();

    /** The JSON Schema of structuredContent, or null when the tool declares none. */
    Json.Obj outputSchema();

    /** Tool annotations, e.g. {"readOnlyHint":true}. */
    Json.Obj annotations();

    /**
     * Runs the tool. Bad arguments and failures the model can act on are thrown as
     * {@link ToolException} (they become isError results); cancellation interrupts the thread.
     */
    ToolResult call(Json.Obj arguments, ToolContext context) throws ToolException, InterruptedException;
}
