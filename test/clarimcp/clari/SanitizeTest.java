package clarimcp.clari;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import clarimcp.json.Json;
import clarimcp.json.JsonParser;
import clarimcp.json.JsonWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The one sanitiser (errors and results alike): what is dropped, how the token is masked, how text is cut. */
@Timeout(10)
class SanitizeTest {
    private static final Secret TOKEN = new Secret("CANARY-tok-5f1e9a");

    private static String s(int cp) {
        return new String(Character.toChars(cp));
    }

    @Test
    void invisibleCarriers_thatTheFormerSanitisersKept_areDropped() {
        // Mongolian variation selectors, CGJ, Hangul fillers (letters, Lo!), soft hyphen, Khmer inherent vowels,
        // unassigned plane-14 points, private use (BMP and plane 15), an unassigned BMP point, U+FFF0.
        int[] hidden = {0x180B, 0x180C, 0x180D, 0x180F, 0x034F, 0x115F, 0x1160, 0x3164, 0xFFA0, 0x00AD, 0x17B4, 0x17B5,
            0xE0080, 0xE0FFF, 0xE01F0, 0xE000, 0xF8FF, 0xF0000, 0x0378, 0xFFF0, 0x1BCA0, 0x1D173, 0x2065};
        for (int cp : hidden) {
            assertEquals("ab", Sanitize.text("a" + s(cp) + "b"), Integer.toHexString(cp));
            assertTrue(Sanitize.isHidden(cp), Integer.toHexString(cp));
        }
        assertEquals("Ωμέγα 東京 😀 Ærø", Sanitize.text("Ωμέγα 東京 😀 Ærø"), "visible text of any script stays");
    }

    @Test
    void whitespaceRunsFold_andLineBreaksCannotForgeRows() {
        assertEquals("a b c d", Sanitize.text("a\n\nb\r\n  c\u2028\u0085d"));
        assertEquals("abcd e f", Sanitize.text("a\u202Eb\u200Bc\u0007d\r\n  e\u2028f"));
    }

    @Test
    void cut_includesTheEllipsis_neverSplitsAPair() {
        String s = "a".repeat(9) + "😀" + "bc"; // 13 chars
        assertEquals("a".repeat(9) + "…", Sanitize.text(s, 11, null));
        assertEquals("a".repeat(9) + "😀…", Sanitize.text(s, 12, null));
        assertEquals(s, Sanitize.text(s, 13, null));
    }

    @Test
    void token_splitByInvisibleCharacters_isMaskedAfterCleaning() {
        String split = "CANARY-\u200Btok-\u2063\u180E5f1e9a";
        assertEquals("bad key *** given", Sanitize.text("bad key " + split + " given", 200, TOKEN));
        assertEquals("bad key *** given", Sanitize.text("bad key " + split + " given", 200, TOKEN));
    }

    @Test
    void token_isMaskedBeforeTheCut_soNoPrefixOfItSurvives() {
        String m = Sanitize.text("x".repeat(15) + "CANARY-tok-5f1e9a and more", 20, TOKEN);
        assertFalse(m.contains("CANARY"), m);
        assertEquals("x".repeat(15) + "***…", m);
    }

    @Test
    void successBodies_masked_inValuesAndKeys_evenSplit_untouchedElsewhere() throws Exception {
        Json body = JsonParser.parse("{\"ok\":[\"plain\",1,{\"note\":\"key CANARY-tok\\u200B-5f1e9a\"}],"
                + "\"CANARY-tok-5f1e9a\":\"x\",\"same\":{\"a\":\"b\"}}");
        Json masked = Sanitize.masked(body, TOKEN);
        String text = JsonWriter.write(masked);
        assertFalse(text.replace("\u200B", "").contains("CANARY-tok-5f1e9a"), text);
        assertEquals("{\"ok\":[\"plain\",1,{\"note\":\"key ***\"}],\"***\":\"x\",\"same\":{\"a\":\"b\"}}", text);
        assertSame(((Json.Obj) body).get("same"), ((Json.Obj) masked).get("same"), "unchanged subtrees are not copied");
        Json clean = JsonParser.parse("{\"a\":[\"b\",{\"c\":\"d\\u200B\"}]}");
        assertSame(clean, Sanitize.masked(clean, TOKEN));
    }
}
