package clarimcp.tools;

import clarimcp.json.Json;

/** Small builders for the JSON Schemas and annotations the tools declare (all kept terse: they cost model context). */
final class Schema {
    /** Every tool only reads Clari; results vary with Clari's data (open world) but calls change nothing. */
    static final Json.Obj READ_ONLY = Json.Obj.builder()
            .put("readOnlyHint", true)
            .put("destructiveHint", false)
            .put("idempotentHint", true)
            .put("openWorldHint", true)
            .build();

    private Schema() {}

    /** An object schema; additionalProperties false when closed (inputs are closed, outputs open). */
    static Json.Obj object(boolean closed, Json.Obj properties, String... required) {
        Json.Builder b = Json.Obj.builder().put("type", "object").put("properties", properties);
        if (required.length > 0) b.put("required", Json.Arr.ofStrings(java.util.List.of(required)));
        if (closed) b.put("additionalProperties", false);
        return b.build();
    }

    static Json.Obj type(String type) {
        return Json.Obj.builder().put("type", type).build();
    }

    static Json.Obj type(String type, String description) {
        return Json.Obj.builder().put("type", type).put("description", description).build();
    }

    static Json.Obj string(String description, String pattern) {
        return Json.Obj.builder().put("type", "string").put("description", description).put("pattern", pattern).build();
    }

    static Json.Obj array(Json.Obj items) {
        return Json.Obj.builder().put("type", "array").put("items", items).build();
    }

    /** A map from names to values of one schema (e.g. field name -> number). */
    static Json.Obj mapOf(Json.Obj values) {
        return Json.Obj.builder().put("type", "object").put("additionalProperties", values).build();
    }

    static Json.Builder props() {
        return Json.Obj.builder();
    }
}
