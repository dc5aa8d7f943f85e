package clarimcp.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import clarimcp.clari.Sanitize;
import java.math.BigDecimal;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class SanitizeTest {
    @Test
    void bidiOverridesAndIsolates_areStripped() {
        assertEquals("Acme evil.exe", Sanitize.text("Acme \u202Eevil\u202C.exe"));
        for (int cp = 0x202A; cp <= 0x202E; cp++) assertEquals("ab", Sanitize.text("a" + (char) cp + "b"), Integer.toHexString(cp));
        for (int cp = 0x2066; cp <= 0x2069; cp++) assertEquals("ab", Sanitize.text("a" + (char) cp + "b"), Integer.toHexString(cp));
    }

    @Test
    void zeroWidthAndTagCharacters_areStripped() {
        for (int cp : new int[] {0x200B, 0x200C, 0x200D, 0x200E, 0x200F, 0x2060, 0xFEFF}) {
            assertEquals("ab", Sanitize.text("a" + (char) cp + "b"), Integer.toHexString(cp));
        }
        String tagged = "ok" + new String(Character.toChars(0xE0049)) + new String(Character.toChars(0xE0067));
        assertEquals("ok", Sanitize.text(tagged));
    }

    @Test
    void controlsRemoved_lineBreaksBecomeSpaces_soNoRowCanBeForged() {
        assertEquals("a b c d", Sanitize.text("a\nb\r\nc\u2028d").replace("  ", " "));
        assertEquals("ab", Sanitize.text("a\u0000\u0007\u001b\u007f\u009bb"));
        assertFalse(Sanitize.text("x\ny\rz\tw").matches("(?s).*[\\n\\r\\t].*"));
        assertEquals("x", Sanitize.text("  x \u200B "));
    }

    @Test
    void unpairedSurrogates_areStripped_pairsKept() {
        assertEquals("ab", Sanitize.text("a\uD800b"));
        assertEquals("a\uD83D\uDE00b", Sanitize.text("a\uD83D\uDE00b"));
    }

    @Test
    void longText_isCappedWithEllipsis_neverSplittingAPair() {
        String capped = Sanitize.text("x".repeat(500));
        assertEquals(Sanitize.MAX_CHARS, capped.length());
        assertTrue(capped.endsWith("…"));
        assertEquals("y".repeat(Sanitize.MAX_CHARS), Sanitize.text("y".repeat(Sanitize.MAX_CHARS)));
        String emoji = "\uD83D\uDE00".repeat(300);
        String cut = Sanitize.text(emoji);
        assertTrue(cut.length() <= Sanitize.MAX_CHARS);
        assertTrue(cut.endsWith("…"));
        assertTrue(Character.isLowSurrogate(cut.charAt(cut.length() - 2)), "the last kept character is a whole pair");
    }

    @Test
    void nullStaysNull() {
        assertNull(Sanitize.text(null));
    }

    @Test
    void lenientReaders_sanitizeAndUnwrapValueObjects() {
        assertEquals("Jane Doe", Lenient.text(Fixtures.parse("{\"name\":\"Jane\\u202E Doe\"}")));
        assertEquals("Commit", Lenient.text(Fixtures.parse("{\"displayValue\":\"Commit\",\"value\":\"c\"}")));
        assertEquals(new BigDecimal("1200.5"), Lenient.number(Fixtures.parse("{\"amount\":\"1200.5\"}")));
        assertEquals(new BigDecimal("7"), Lenient.number(Fixtures.parse("{\"value\":{\"value\":7}}")));
        assertNull(Lenient.number(Fixtures.parse("\"12abc\"")));
        assertNull(Lenient.number(Fixtures.parse("[1]")));
        assertEquals("2020-11-14", Lenient.date(Fixtures.parse("1605312000000")));
    }
}
