package clarimcp.security;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * test/audit.sh fails on each kind of violation it promises to find: a copy of src/ gets one planted file
 * and the script, pointed at the copy, must exit 1 naming the rule. The same text in comments and string
 * literals must not count, and the untouched copy must pass.
 */
@Timeout(60)
class AuditTest {
    @TempDir
    Path tree;

    record Run(int exit, String output) {}

    private Run audit() throws IOException, InterruptedException {
        Path script = Path.of(System.getProperty("clarimcp.resources", "test/resources")).getParent().resolve("audit.sh");
        Process p = new ProcessBuilder("bash", script.toString(), tree.toString()).redirectErrorStream(true).start();
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "audit.sh did not finish");
        return new Run(p.exitValue(), new String(out, UTF_8));
    }

    private void copySrc() throws IOException {
        Path src = Path.of(System.getProperty("clarimcp.resources", "test/resources")).getParent().getParent().resolve("src");
        try (Stream<Path> all = Files.walk(src)) {
            for (Path from : all.sorted(Comparator.naturalOrder()).toList()) {
                Path to = tree.resolve("src").resolve(src.relativize(from).toString());
                if (Files.isDirectory(from)) Files.createDirectories(to);
                else Files.copy(from, to);
            }
        }
    }

    private void plant(String pkg, String imports, String body) throws IOException {
        Path dir = tree.resolve("src/clarimcp").resolve(pkg);
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("Planted.java"), "package clarimcp." + pkg + ";\n\n" + imports + "\n"
                + "final class Planted {\n    void planted() throws Exception {\n        " + body + "\n    }\n}\n", UTF_8);
    }

    @Test
    void cleanCopy_passes_andReportsSize() throws Exception {
        copySrc();
        Run r = audit();
        assertEquals(0, r.exit(), r.output());
        assertTrue(r.output().contains("audit: OK"), r.output());
        assertTrue(r.output().matches("(?s).*\\d+  total in \\d+ files.*"), r.output());
        assertTrue(r.output().contains("src/clarimcp/mcp/McpServer.java"), r.output());
    }

    @Test
    void forbiddenText_inCommentsAndStrings_doesNotCount() throws Exception {
        copySrc();
        plant("tools", "", "// System.out.println(Class.forName(\"x\")); new ProcessBuilder();\n"
                + "        /* import com.google.gson.Gson; ObjectInputStream */ String s = \"System.out clarimcp.Main ServiceLoader\";\n"
                + "        String t = \"\"\"\n            Runtime.getRuntime().exec(\"rm\") System.getenv\n            \"\"\";");
        Run r = audit();
        assertEquals(0, r.exit(), r.output());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "stdout outside the transport | tools | | System.out.println(\"hi\");",
        "stdout outside the transport | mcp | | new java.io.FileOutputStream(java.io.FileDescriptor.out).write(1);",
        "outside the JDK | json | import com.google.gson.Gson; | Object g = null;",
        "outside the JDK | tools | | com.fasterxml.jackson.databind.ObjectMapper m = null;",
        "clarimcp.clari imports clarimcp.mcp | clari | import clarimcp.mcp.Tool; | Tool t = null;",
        "clarimcp.json imports clarimcp.mcp | json | import clarimcp.mcp.Wire; | Wire.Writer w = null;",
        "clarimcp.mcp imports clarimcp.tools | mcp | | Object o = clarimcp.tools.Tools.all(null);",
        "clarimcp.tools uses clarimcp.Main | tools | | Object o = clarimcp.Main.class;",
        "reflection | mcp | | Class.forName(\"java.lang.Runtime\");",
        "reflection | tools | | String.class.getDeclaredMethod(\"length\").setAccessible(true);",
        "ServiceLoader | mcp | import java.util.ServiceLoader; | ServiceLoader.load(Runnable.class);",
        "process spawning | tools | | new ProcessBuilder(\"sh\").start();",
        "process spawning | clari | | Runtime.getRuntime().exec(new String[] {\"sh\"});",
        "deserialization | mcp | import java.io.ObjectInputStream; | new ObjectInputStream(null).readObject();",
        "native code | json | | System.loadLibrary(\"evil\");",
        "environment or std streams outside Main | tools | | String token = System.getenv(\"CLARI_API_TOKEN\");",
        "environment or std streams outside Main | mcp | | System.exit(3);",
        "file writing | mcp | import java.nio.file.*; | Files.writeString(Path.of(\"/tmp/x\"), \"leak\");",
        "network outside src/clarimcp/clari/ | tools | | java.net.http.HttpClient.newHttpClient();",
        "network outside src/clarimcp/clari/ | mcp | | new java.net.Socket(\"evil.example\", 80);",
        "not in the dependency table | extra | | int x = 1;",
    })
    void plantedViolation_fails(String rule, String pkg, String imports, String body) throws Exception {
        copySrc();
        plant(pkg, imports == null ? "" : imports, body);
        Run r = audit();
        assertEquals(1, r.exit(), r.output());
        assertTrue(r.output().contains("VIOLATION"), r.output());
        assertTrue(r.output().contains(rule), "expected '" + rule + "' in:\n" + r.output());
        assertTrue(r.output().contains("audit: FAILED"), r.output());
    }

    @Test
    void moduleInfo_requiringANonJdkModule_fails() throws Exception {
        copySrc();
        Path info = tree.resolve("src/module-info.java");
        Files.writeString(info, Files.readString(info).replace("requires java.net.http;", "requires java.net.http;\n    requires jdk.httpserver;"));
        Run r = audit();
        assertEquals(1, r.exit(), r.output());
        assertTrue(r.output().contains("requires jdk.httpserver"), r.output());
    }

    @Test
    void readingOrder_mustListEveryFileWithItsCount() throws Exception {
        copySrc();
        Files.writeString(tree.resolve("SECURITY.md"), "| # | file | lines | |\n|---|---|---:|---|\n"
                + "| 1 | `clarimcp/Main.java` | 1 | |\n| 2 | `clarimcp/Gone.java` | 5 | |\n", UTF_8);
        Run r = audit();
        assertEquals(1, r.exit(), r.output());
        assertTrue(r.output().matches("(?s).*SECURITY.md's reading order says clarimcp/Main.java has 1 lines; it has \\d+.*"), r.output());
        assertTrue(r.output().contains("SECURITY.md's reading order leaves out clarimcp/json/Json.java"), r.output());
        assertTrue(r.output().contains("SECURITY.md's reading order lists clarimcp/Gone.java, which is not in src/"), r.output());
    }

    @Test
    void sourceAboveTheCeiling_fails() throws Exception {
        copySrc();
        plant("tools", "", "int x = 0;\n" + "        x++;\n".repeat(7_000));
        Run r = audit();
        assertEquals(1, r.exit(), r.output());
        assertTrue(r.output().contains("production lines, above the ceiling of"), r.output());
    }

    @Test
    void cliFileUsingMain_fails() throws Exception {
        copySrc();
        Files.writeString(tree.resolve("src/clarimcp/Planted.java"), "package clarimcp;\n\nfinal class Planted {\n"
                + "    String name() {\n        return Main.info().name();\n    }\n}\n", UTF_8);
        Run r = audit();
        assertEquals(1, r.exit(), r.output());
        assertTrue(r.output().contains("a CLI file uses Main (read Help instead): src/clarimcp/Planted.java:5"), r.output());
    }

    @Test
    void nonJavaFileInSrc_fails() throws Exception {
        copySrc();
        Files.write(tree.resolve("src/clarimcp/helper.jar"), new byte[] {'P', 'K', 3, 4});
        Run r = audit();
        assertEquals(1, r.exit(), r.output());
        assertFalse(r.output().contains("audit: OK"), r.output());
        assertTrue(r.output().contains("not a Java source"), r.output());
    }
}
