package clarimcp.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import clarimcp.json.Json;
import clarimcp.json.JsonWriter;
import clarimcp.mcp.ProtocolVersion;
import clarimcp.mcp.Tool;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What the model sees of each tool, pinned: the tools/list entry at the latest protocol version must
 * equal test/resources/toolsnaps/NAME.json byte for byte, so any change to a name, description or
 * schema shows up as a reviewed diff. A missing snapshot fails.
 */
@Timeout(10)
class ToolSnapshotTest {
    private static final Path SNAPS = Path.of(System.getProperty("clarimcp.resources", "test/resources"), "toolsnaps");

    @Test
    void registry_isTheFourToolsInOrder() {
        assertEquals(List.of("get_forecast", "get_pipeline_changes", "get_deal_risk", "get_admin_limits"),
                Tools.all(Fixtures.NO_CLARI).stream().map(Tool::name).toList());
    }

    @Test
    void eachDescriptor_equalsItsSnapshot() throws IOException {
        for (Tool tool : Tools.all(Fixtures.NO_CLARI)) {
            Path file = SNAPS.resolve(tool.name() + ".json");
            String actual = JsonWriter.write(tool.descriptor(ProtocolVersion.LATEST));
            // UPDATE_TOOLSNAPS=1 make test TESTS=ToolSnapshotTest rewrites them; review the diff before committing.
            if (System.getenv("UPDATE_TOOLSNAPS") != null) Files.writeString(file, actual + "\n", StandardCharsets.UTF_8);
            assertTrue(Files.isRegularFile(file), "missing snapshot " + file.toAbsolutePath());
            String expected = Files.readString(file, StandardCharsets.UTF_8).strip();
            assertEquals(expected, actual, tool.name());
        }
    }

    @Test
    void eachTool_isReadOnly_closedInput_validName_withOutputSchema() {
        for (Tool tool : Tools.all(Fixtures.NO_CLARI)) {
            assertTrue(tool.name().matches("[a-zA-Z0-9_-]{1,64}"), tool.name());
            // get_forecast may spend an export of the org's monthly quota per call: not idempotent (issue 15).
            boolean idempotent = !tool.name().equals("get_forecast");
            assertEquals("{\"readOnlyHint\":true,\"destructiveHint\":false,\"idempotentHint\":" + idempotent + ",\"openWorldHint\":true}",
                    JsonWriter.write(tool.annotations()), tool.name());
            assertEquals(Json.Bool.FALSE, tool.inputSchema().get("additionalProperties"), tool.name());
            assertEquals("object", tool.outputSchema().str("type"), tool.name());
            assertTrue(tool.description().length() <= 300, tool.name() + " description is model context");
        }
    }
}
