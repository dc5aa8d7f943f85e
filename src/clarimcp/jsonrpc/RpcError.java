package clarimcp.jsonrpc;

/**
 * A JSON-RPC 2.0 error object (spec section 5.1). Messages are short and fixed: never exception
 * text, stack traces, arguments or anything else an attacker or a bug could put there.
 */
public record RpcError(int code, String message) {
    public static final int PARSE_ERROR = -32700;
    public static final int INVALID_REQUEST = -32600;
    public static final int METHOD_NOT_FOUND = -32601;
    public static final int INVALID_PARAMS = -32602;
    public static final int INTERNAL_ERROR = -32603;

    public static RpcError parseError() {
        return new RpcError(PARSE_ERROR, "Parse error");
    }

    public static RpcError invalidRequest(String why) {
        return new RpcError(INVALID_REQUEST, "Invalid request: " + why);
    }

    public static RpcError methodNotFound(String method) {
        return new RpcError(METHOD_NOT_FOUND, "Method not found: " + Ascii.clip(method));
    }

    public static RpcError invalidParams(String why) {
        return new RpcError(INVALID_PARAMS, "Invalid params: " + why);
    }

    public static RpcError internalError() {
        return new RpcError(INTERNAL_ERROR, "Internal error");
    }
}
