package clarimcp.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import clarimcp.json.Json;
import clarimcp.json.JsonParser;
import clarimcp.sandbox.ClariSandbox;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A token rotated mid-session through CLARI_API_TOKEN_FILE: the running launcher keeps working, no token shows anywhere. */
@Timeout(60)
class TokenFileEndToEndTest {
    @Test
    void tokenRotatedTwice_midSession_everyCallSucceeds(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("clari-token");
        Path log = dir.resolve("calls.log");
        List<String> tokens = new ArrayList<>();
        try (ClariSandbox sb = ClariSandbox.start()) {
            tokens.add(sb.token());
            write(file, sb.token());
            Map<String, String> env = Map.of("CLARI_API_TOKEN_FILE", file.toString(), "CLARI_BASE_URL", sb.baseUrl().toString(),
                    "CLARI_LOG_FILE", log.toString());
            try (Launcher l = Launcher.start(env)) {
                l.request("{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-11-25\"}}",
                        Json.of(0), 10_000, null);
                assertOk(call(l, 1));
                tokens.add(sb.rotateToken());
                write(file, tokens.get(1)); // a secrets manager rewrites the file: a new modification time
                assertOk(call(l, 2));
                FileTime unchanged = Files.getLastModifiedTime(file);
                tokens.add(sb.rotateToken());
                write(file, tokens.get(2));
                Files.setLastModifiedTime(file, unchanged); // same size and time: only the 401 reveals it
                assertOk(call(l, 3));
                assertEquals(0, l.closeAndWait(10_000));
                for (String t : tokens) assertFalse(l.stdout().contains(t) || l.stderr().contains(t), "a token on stdout/stderr");
            }
            String text = Files.readString(log, StandardCharsets.UTF_8);
            for (String t : tokens) assertFalse(text.contains(t), "a token in the log");
            List<Json> statuses = new ArrayList<>();
            for (String line : text.split("\n")) statuses.add(((Json.Obj) JsonParser.parse(line)).get("httpStatuses"));
            assertEquals(List.of(JsonParser.parse("{\"200\":1}"), JsonParser.parse("{\"200\":1}"),
                    JsonParser.parse("{\"200\":1,\"401\":1}")), statuses);
        }
    }

    private static void write(Path file, String token) throws Exception {
        Files.writeString(file, token + "\n", StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    }

    private static Json.Obj call(Launcher l, int id) throws Exception {
        return l.request("{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"tools/call\",\"params\":{\"name\":\"get_admin_limits\"}}",
                Json.of(id), 30_000, null).obj("result");
    }

    private static void assertOk(Json.Obj result) {
        assertEquals(Json.Bool.FALSE, result.get("isError"), () -> result.toString());
        assertTrue(((Json.Obj) result.arr("content").items().get(0)).str("text").startsWith("Clari export limits"));
    }
}
