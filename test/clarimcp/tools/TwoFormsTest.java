package clarimcp.tools;

import static clarimcp.tools.Fixtures.obj;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;

/** The parity check itself: it passes two forms that agree and names what differs when they do not. */
class TwoFormsTest {
    private static final String TEXT = """
            Log: 1 shown of 3 found
            NOTE: More events exist than shown: narrow the dates
            Time | Actor | Actor id
            2026-05-01T00:00:00Z | Dana Reyes | 1905
            """;

    @Test
    void agreeingForms_pass() {
        TwoForms.assertSameFacts(TEXT, obj("{\"columns\":[\"time\",\"actor\",\"actorId\"],\"rows\":[[\"2026-05-01T00:00:00Z\","
                + "\"Dana Reyes\",\"1905\"]],\"found\":3,\"notes\":[\"More events exist than shown: narrow the dates\"]}"), "1905", "3");
    }

    @Test
    void aNoteOnlyInTheText_fails() {
        fails("text note missing", obj("{\"notes\":[]}"));
    }

    @Test
    void aNoteOnlyInStructured_fails() {
        fails("structured note missing", obj("{\"notes\":[\"More events exist than shown: narrow the dates\",\"secret\"]}"));
    }

    @Test
    void aRowOnlyInStructured_fails() {
        fails("row cell missing", obj("{\"columns\":[\"actorId\"],\"rows\":[[\"1905\"],[\"1906\"]],"
                + "\"notes\":[\"More events exist than shown: narrow the dates\"]}"));
    }

    @Test
    void aFactOnlyInTheText_fails() {
        fails("fact missing from the structured form: Dana Reyes",
                obj("{\"notes\":[\"More events exist than shown: narrow the dates\"]}"), "Dana Reyes");
    }

    @Test
    void anObjectPerRow_overTheRatio_fails() {
        String row = "{\"time\":\"2026-05-01T00:00:00Z\",\"actor\":\"Dana Reyes\",\"actorId\":\"1905\",\"actorType\":\"USER\"}";
        fails("over 1.25 x", obj("{\"changes\":[" + row + "," + row + "],\"notes\":[\"More events exist than shown: narrow the dates\"]}"));
    }

    private static void fails(String reason, clarimcp.json.Json.Obj structured, String... facts) {
        AssertionFailedError e = assertThrows(AssertionFailedError.class, () -> TwoForms.assertSameFacts(TEXT, structured, facts));
        assertTrue(e.getMessage().contains(reason), e.getMessage());
    }
}
