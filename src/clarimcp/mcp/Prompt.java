package clarimcp.mcp;

import clarimcp.json.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One MCP prompt (server/prompts): a named, parameterised user message that clients show as a command.
 * Like a {@link Tool}, it is its definition beside its handler. The handler gets only declared
 * arguments (the server refuses others and missing required ones) and throws IllegalArgumentException
 * with a short reason for a bad value; that becomes a -32602 error.
 */
public record Prompt(String name, String title, String description, List<Argument> arguments, Renderer renderer) {
    /** One argument; MCP prompt arguments are strings. */
    public record Argument(String name, String description, boolean required) {}

    /** Builds the message text from the caller's arguments (declared names only). */
    @FunctionalInterface
    public interface Renderer {
        String render(Map<String, String> arguments);
    }

    public Prompt {
        arguments = List.copyOf(arguments);
    }

    /** The prompts/list entry; title only for versions that have titles. */
    Json.Obj descriptor(ProtocolVersion version) {
        Json.Builder b = Json.Obj.builder().put("name", name);
        if (version.hasTitles()) b.put("title", title);
        b.put("description", description);
        List<Json> args = new ArrayList<>(arguments.size());
        for (Argument a : arguments) {
            args.add(Json.Obj.builder().put("name", a.name()).put("description", a.description())
                    .put("required", a.required()).build());
        }
        return b.put("arguments", new Json.Arr(args)).build();
    }

    /** The prompts/get result: the description and one user message holding the rendered text. */
    Json.Obj get(Map<String, String> args) {
        Json.Obj content = Json.Obj.builder().put("type", "text").put("text", renderer.render(args)).build();
        Json.Obj message = Json.Obj.builder().put("role", "user").put("content", content).build();
        return Json.Obj.builder().put("description", description).put("messages", Json.Arr.of(message)).build();
    }
}
