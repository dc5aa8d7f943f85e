package clarimcp.tools;

import clarimcp.tools.Deal.Change;
import clarimcp.tools.Deal.Field;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * get_deal_risk's {@code changed_since}: what moved on the given deals, from each field's trendHistory
 * [spec] ({@code {oldValue, newValue, date}}, date in epoch ms). Clari cannot list deals, so "which deals
 * slipped this week" is answered over the deals the caller names. Each deal is judged by its value just
 * before the window (the first change's old value) against its latest value (the last change's new
 * value); pushes are counted change by change.
 */
final class DealChanges {
    /** The fields whose changes are reported; owner changes are not part of a slip or a call. */
    static final Set<Field> TRACKED = EnumSet.of(Field.STAGE, Field.AMOUNT, Field.CLOSE_DATE, Field.FORECAST_CATEGORY);

    /** One line of the summary: what happened, and to which deals (the caller's ids). */
    record Line(String label, List<String> ids) {}

    /** The summary; {@code amountDeals} is how many deals had a readable amount change (the net's base). */
    record Summary(List<Line> lines, BigDecimal netAmount, int amountDeals, int undated) {}

    private DealChanges() {}

    /** The deal's tracked changes dated at or after since, oldest first. */
    static List<Change> since(Deal d, Instant since) {
        List<Change> out = new ArrayList<>();
        for (Change c : d.changes()) {
            if (c.at() != null && !c.at().isBefore(since) && TRACKED.contains(c.field())) out.add(c);
        }
        return out;
    }

    /** The calendar quarter holding day: its first and last day, and its id in Clari's style (2026_Q4). */
    static LocalDate[] quarter(LocalDate day) {
        LocalDate start = day.withDayOfMonth(1).withMonth((day.getMonthValue() - 1) / 3 * 3 + 1);
        return new LocalDate[] {start, start.plusMonths(3).minusDays(1)};
    }

    static String quarterId(LocalDate day) {
        return day.getYear() + "_Q" + ((day.getMonthValue() - 1) / 3 + 1);
    }

    static Summary summarize(List<Deal> deals, Instant since, LocalDate today) {
        LocalDate[] q = quarter(today);
        List<String> out = new ArrayList<>(), later = new ArrayList<>(), in = new ArrayList<>(), twice = new ArrayList<>();
        List<String> intoCommit = new ArrayList<>(), outOfCommit = new ArrayList<>();
        BigDecimal net = BigDecimal.ZERO;
        int amountDeals = 0;
        int undated = 0;
        for (Deal d : deals) {
            for (Change c : d.changes()) if (c.at() == null && TRACKED.contains(c.field())) undated++;
            List<Change> window = since(d, since);
            LocalDate first = null, last = null;
            int pushes = 0;
            String firstCategory = null, lastCategory = null;
            BigDecimal firstAmount = null, lastAmount = null;
            for (Change c : window) {
                switch (c.field()) {
                    case CLOSE_DATE -> {
                        LocalDate from = Deal.date(c.oldValue()), to = Deal.date(c.newValue());
                        if (from == null || to == null) continue;
                        if (first == null) first = from;
                        last = to;
                        if (to.isAfter(from)) pushes++;
                    }
                    case FORECAST_CATEGORY -> {
                        if (firstCategory == null) firstCategory = c.oldValue();
                        lastCategory = c.newValue();
                    }
                    case AMOUNT -> {
                        if (c.oldNumber() == null || c.newNumber() == null) continue;
                        if (firstAmount == null) firstAmount = c.oldNumber();
                        lastAmount = c.newNumber();
                    }
                    default -> { }
                }
            }
            if (first != null && last.isAfter(first)) later.add(d.id());
            if (first != null && last.isBefore(first)) in.add(d.id());
            if (first != null && !first.isBefore(q[0]) && !first.isAfter(q[1]) && last.isAfter(q[1])) out.add(d.id());
            if (pushes >= 2) twice.add(d.id());
            boolean wasCommit = isCommit(firstCategory), isCommit = isCommit(lastCategory);
            if (lastCategory != null && !wasCommit && isCommit) intoCommit.add(d.id());
            if (firstCategory != null && wasCommit && !isCommit) outOfCommit.add(d.id());
            if (firstAmount != null) {
                net = net.add(lastAmount.subtract(firstAmount));
                amountDeals++;
            }
        }
        String quarter = quarterId(today);
        return new Summary(List.of(new Line("close date pushed out of " + quarter, out), new Line("close date pushed later", later),
                new Line("close date pulled in", in), new Line("close date pushed more than once", twice),
                new Line("moved into Commit", intoCommit), new Line("moved out of Commit", outOfCommit)), net, amountDeals, undated);
    }

    private static boolean isCommit(String category) {
        return category != null && category.strip().equalsIgnoreCase("commit");
    }
}
