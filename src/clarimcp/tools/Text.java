package clarimcp.tools;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.text.DecimalFormat;
import java.text.DecimalFormatSymbols;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/** Plain-text formatting shared by the tools: aligned tables, money, and the output cap. */
final class Text {
    /**
     * Longest text result. Claude Code spills results over 50,000 characters to a file and shows
     * the model only a preview, so we stay under that and say when we cut.
     */
    static final int MAX_CHARS = 40_000;
    /** Cells wider than this are not padded to, so one long name does not widen every row. */
    private static final int MAX_PAD = 40;
    /** Between cells: a visible separator keeps columns unambiguous even where a long cell breaks alignment. */
    private static final String SEPARATOR = " | ";

    private Text() {}

    /**
     * An aligned table: a header line, then one line per row; cells separated by " | ", and a '|' inside a
     * cell written "\\|", so a Clari name holding " | " cannot pose as extra columns.
     */
    static String table(List<String> headers, List<List<String>> rows) {
        List<List<String>> lines = Stream.concat(Stream.of(headers), rows.stream())
                .map(row -> row.stream().map(c -> c.replace("|", "\\|")).toList()).toList();
        int[] width = new int[headers.size()];
        for (List<String> row : lines) {
            for (int c = 0; c < width.length; c++) width[c] = Math.max(width[c], Math.min(MAX_PAD, row.get(c).length()));
        }
        StringBuilder out = new StringBuilder();
        for (List<String> row : lines) {
            int start = out.length();
            for (int c = 0; c < row.size(); c++) {
                if (c > 0) out.append(SEPARATOR);
                out.append(row.get(c));
                if (c < row.size() - 1) out.append(" ".repeat(Math.max(0, width[c] - row.get(c).length())));
            }
            while (out.length() > start && out.charAt(out.length() - 1) == ' ') out.setLength(out.length() - 1);
            out.append('\n');
        }
        return out.toString();
    }

    /** A money amount with thousands separators: whole units when integral, else two decimals. */
    static String money(BigDecimal v) {
        if (v == null) return "-";
        boolean whole = v.signum() == 0 || v.stripTrailingZeros().scale() <= 0;
        DecimalFormat f = new DecimalFormat(whole ? "#,##0" : "#,##0.00", DecimalFormatSymbols.getInstance(Locale.ROOT));
        f.setRoundingMode(RoundingMode.HALF_EVEN);
        return f.format(v);
    }

    /** text, cut to {@link #MAX_CHARS} at a line boundary with a note saying so and what to do. */
    static String cap(String text, String howToNarrow) {
        if (text.length() <= MAX_CHARS) return text;
        int cut = text.lastIndexOf('\n', MAX_CHARS - 200);
        if (cut < 0) cut = MAX_CHARS - 200;
        return text.substring(0, cut) + "\n[output cut at " + cut + " of " + text.length() + " characters; "
                + howToNarrow + "]\n";
    }
}
