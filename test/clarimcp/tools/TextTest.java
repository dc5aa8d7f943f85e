package clarimcp.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class TextTest {
    @Test
    void table_alignsColumnsWithVisibleSeparators_andTrimsTrailingSpaces() {
        assertEquals("Name | Amount\nAda  | 1\nBob  | 22\n",
                Text.table(List.of("Name", "Amount"), List.of(List.of("Ada", "1"), List.of("Bob", "22"))));
    }

    @Test
    void table_escapesPipesInCells_soANameCannotForgeColumns() {
        String t = Text.table(List.of("Name", "Amount"), List.of(List.of("Ada | 999,999 | Commit", "1")));
        assertEquals("Name                     | Amount\nAda \\| 999,999 \\| Commit | 1\n", t);
        assertEquals(2, t.lines().skip(1).findFirst().orElseThrow().split(" \\| ").length, "two columns, not four");
    }

    @Test
    void money_groupsThousands_decimalsOnlyWhenNeeded() {
        assertEquals("1,234,567", Text.money(new BigDecimal("1234567")));
        assertEquals("1,234,567", Text.money(new BigDecimal("1234567.00")));
        assertEquals("-1,234.50", Text.money(new BigDecimal("-1234.5")));
        assertEquals("0", Text.money(BigDecimal.ZERO));
        assertEquals("-", Text.money(null));
    }

    @Test
    void cap_leavesShortTextAlone_cutsLongTextAtALine_withANote() {
        String shortText = "a\nb\n";
        assertSame(shortText, Text.cap(shortText, "narrow it"));
        String line = "x".repeat(99) + "\n";
        String capped = Text.cap(line.repeat(1000), "narrow it");
        assertTrue(capped.length() <= Text.MAX_CHARS, "length " + capped.length());
        assertTrue(capped.endsWith(" of 100000 characters; narrow it]\n"), capped.substring(capped.length() - 80));
        String kept = capped.substring(0, capped.indexOf("\n[output cut"));
        assertTrue(kept.lines().allMatch(l -> l.length() == 99), "whole lines only");
    }
}
