package clarimcp.mcp;

/**
 * The MCP protocol versions this server speaks, newest first, with the features each one gates
 * (see the changelogs of the MCP specification for each version).
 */
public enum ProtocolVersion {
    V2025_11_25("2025-11-25"),
    V2025_06_18("2025-06-18"),
    V2025_03_26("2025-03-26"),
    V2024_11_05("2024-11-05");

    /** Answered when the client asks for a version we do not speak (lifecycle: "SHOULD be its latest"). */
    public static final ProtocolVersion LATEST = V2025_11_25;

    private final String wire;

    ProtocolVersion(String wire) {
        this.wire = wire;
    }

    public String wire() {
        return wire;
    }

    /** The version a client's request gets: the one it asked for when we speak it, else {@link #LATEST}. */
    static ProtocolVersion negotiate(String requested) {
        for (ProtocolVersion v : values()) {
            if (v.wire.equals(requested)) return v;
        }
        return LATEST;
    }

    /** JSON-RPC batches: added in 2025-03-26, removed in 2025-06-18. */
    public boolean allowsBatches() {
        return this == V2025_03_26;
    }

    /** Tool annotations (readOnlyHint...): since 2025-03-26. */
    public boolean hasToolAnnotations() {
        return this != V2024_11_05;
    }

    /** title on Tool and Implementation: since 2025-06-18. */
    public boolean hasTitles() {
        return this == V2025_06_18 || this == V2025_11_25;
    }

    /** outputSchema and structuredContent: since 2025-06-18. */
    public boolean hasStructuredContent() {
        return hasTitles();
    }
}
