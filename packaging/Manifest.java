import clarimcp.json.Json;
import clarimcp.json.JsonException;
import clarimcp.json.JsonParser;
import clarimcp.json.JsonWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The MCP Bundle's manifest.json for one platform, from packaging/manifest.json: run by packaging/dist.sh
 * as a single-file program on the build/classes class path, so the JSON goes through our parser and writer.
 *
 *   java -cp build/classes packaging/Manifest.java TEMPLATE TOOLS_LIST_REPLY VERSION PLATFORM IMAGE > manifest.json
 *
 * It sets the version, the platform (darwin, linux or win32), the tools (name and first sentence of the
 * description, from the built server's own tools/list reply, so the listing cannot go stale), and on
 * win32 the cache option of the JVM command line (AOT cache or AppCDS archive, whichever the image has:
 * Claude Desktop cannot run the sh launcher there, so the bundle starts bin/java.exe as the launcher would).
 */
public final class Manifest {
    /** Claude Desktop shows these in a list: one sentence is enough. */
    private static final int MAX_DESCRIPTION = 200;

    private Manifest() {}

    public static void main(String[] args) throws IOException, JsonException {
        if (args.length != 5) throw new IllegalArgumentException("usage: Manifest TEMPLATE TOOLS_LIST_REPLY VERSION PLATFORM IMAGE");
        Json.Obj template = (Json.Obj) JsonParser.parse(Files.readAllBytes(Path.of(args[0])));
        Json.Obj toolsReply = (Json.Obj) JsonParser.parse(Files.readString(Path.of(args[1]), StandardCharsets.UTF_8).strip());
        String version = args[2];
        String platform = args[3];
        if (!version.matches("\\d+\\.\\d+\\.\\d+([-+][0-9A-Za-z.-]+)?")) throw new IllegalArgumentException("bad version " + version);
        if (!List.of("darwin", "linux", "win32").contains(platform)) throw new IllegalArgumentException("bad platform " + platform);

        Map<String, Json> m = new LinkedHashMap<>(template.members());
        m.put("version", Json.of(version));
        m.put("tools", tools(toolsReply));
        m.put("compatibility", with(template.obj("compatibility"), "platforms", Json.of(List.of(platform))));
        if (platform.equals("win32")) m.put("server", windowsCache(template.obj("server"), Path.of(args[4])));
        System.out.println(JsonWriter.write(new Json.Obj(m)));
    }

    private static Json tools(Json.Obj toolsReply) {
        List<Json> out = new ArrayList<>();
        for (Json t : toolsReply.obj("result").arr("tools").items()) {
            Json.Obj tool = (Json.Obj) t;
            String d = tool.str("description") == null ? "" : tool.str("description").strip();
            int end = d.indexOf(". ");
            d = end > 0 ? d.substring(0, end + 1) : d;
            if (d.length() > MAX_DESCRIPTION) d = d.substring(0, MAX_DESCRIPTION - 3) + "...";
            out.add(Json.obj("name", tool.str("name"), "description", d));
        }
        if (out.isEmpty()) throw new IllegalStateException("the server listed no tools");
        return new Json.Arr(out);
    }

    /** The win32 override's args, with the cache option the image's launcher uses. */
    private static Json windowsCache(Json.Obj server, Path image) {
        String option;
        if (Files.exists(image.resolve("lib/clari-revops-mcp.aot"))) {
            option = "-XX:AOTCache=${__dirname}/server/lib/clari-revops-mcp.aot";
        } else if (Files.exists(image.resolve("lib/clari-revops-mcp.jsa"))) {
            option = "-XX:SharedArchiveFile=${__dirname}/server/lib/clari-revops-mcp.jsa";
        } else {
            throw new IllegalStateException("no start-up cache in " + image.resolve("lib"));
        }
        Json.Obj config = server.obj("mcp_config");
        Json.Obj win = config.obj("platform_overrides").obj("win32");
        Json.Obj newWin = with(win, "args", Json.of(List.of(option, "-m", "clarimcp/clarimcp.Main")));
        Json.Obj newConfig = with(config, "platform_overrides", with(config.obj("platform_overrides"), "win32", newWin));
        return with(server, "mcp_config", newConfig);
    }

    private static Json.Obj with(Json.Obj o, String key, Json value) {
        Map<String, Json> m = new LinkedHashMap<>(o.members());
        m.put(key, value);
        return new Json.Obj(m);
    }
}
