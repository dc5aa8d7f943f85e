/**
 * clari-revops-mcp: a read-only MCP server for Clari. Dependencies point one way:
 * json <- mcp <- tools -> clari; Main wires them. Nothing is exported: the only
 * entry point is the launcher of the jlink image.
 */
module clarimcp {
    requires java.net.http;
}
