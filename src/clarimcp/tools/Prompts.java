package clarimcp.tools;

import clarimcp.json.Json;
import clarimcp.json.JsonWriter;
import clarimcp.mcp.McpServer.Prompt;
import java.time.Clock;
import java.time.LocalDate;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The three prompts a RevOps lead runs as commands: forecast call prep, Commit inspection and a pipeline
 * review. Each text names the tool calls with their exact arguments (written by the JSON writer, so a
 * caller's value cannot break out of them) and asks for a compact answer. Dates are computed here, from
 * the clock, so the model needs no calendar.
 */
public final class Prompts {
    /** Clari keeps its audit log about 30 days (clari-api.md, PostHog and Fivetran docs): a longer review finds nothing more. */
    static final int MAX_REVIEW_DAYS = 30;
    private static final int DEFAULT_REVIEW_DAYS = 7;
    /** A scope is a manager's name, email or scope id: one line, short. */
    private static final Pattern SCOPE = Pattern.compile("[^\\p{Cntrl}]{1,200}");
    /** Ids as users paste them: separated by commas, semicolons or white space. */
    private static final Pattern ID_SEPARATORS = Pattern.compile("[,;\\s]+");
    private static final String COMPACT = "Answer compactly: totals or one short table first, then bullets; under 250 words. "
            + "Quote the tool's notes (period fallback, truncation, missing columns, ids not found) rather than hiding them, "
            + "and never invent a figure the tools did not return.";

    private Prompts() {}

    /** The prompts in the order prompts/list shows them. */
    public static List<Prompt> all(Clock clock) {
        return List.of(
                new Prompt("forecast_call_prep", "Forecast call prep",
                        "Where we land against quota, what moved since last week, and what to ask each manager",
                        List.of(new Prompt.Argument("time_period", "Fiscal quarter like 2026_Q4; default: the current one", false),
                                new Prompt.Argument("scope", "A manager's name or email, or a Clari scope id; default: the whole forecast", false)),
                        args -> forecastCallPrep(args.get("time_period"), args.get("scope"))),
                new Prompt("commit_inspection", "Commit inspection",
                        "Which of these Commit deals Clari thinks are at risk, why, and what changed on them since last week",
                        List.of(new Prompt.Argument("opp_ids", "Opportunity ids from a CRM report or URL, separated by commas or spaces", true)),
                        args -> commitInspection(ids(args.get("opp_ids")), LocalDate.now(clock).minusDays(7))),
                new Prompt("pipeline_review", "Pipeline review",
                        "Forecast submissions and adjustments made in Clari in the last days, and slips among given deals",
                        List.of(new Prompt.Argument("days", "How many days back, 1-" + MAX_REVIEW_DAYS + " (Clari keeps about 30); default 7", false)),
                        args -> pipelineReview(LocalDate.now(clock).minusDays(days(args.get("days"))))));
    }

    private static String forecastCallPrep(String period, String scope) {
        if (period != null && !GetForecast.TIME_PERIOD.matcher(period).matches()) {
            throw new IllegalArgumentException("time_period must be a fiscal quarter like 2026_Q4");
        }
        if (scope != null && !SCOPE.matcher(scope).matches()) {
            throw new IllegalArgumentException("scope must be one line of at most 200 characters");
        }
        Json.Obj call = Json.obj("compare_to", "last_week", "time_period", period, "scope_id", scope);
        return "Prepare me for this week's forecast call" + (scope == null ? "" : " for " + JsonWriter.write(Json.of(scope)))
                + (period == null ? "" : ", " + period) + ".\n\n"
                + "1. Call get_forecast with " + JsonWriter.write(call) + ".\n"
                + "2. Where we land: for the total and each manager row, closed against quota (attainment), the gap to quota "
                + "and pipeline coverage, as the tool reports them.\n"
                + "3. Movement since last week: the five biggest movers (now, then, change) and any manager adjustments.\n"
                + "4. For each manager, one or two pointed questions for the call (a drop in Commit, thin coverage, "
                + "an adjustment far from the rep's call).\n\n" + COMPACT;
    }

    private static String commitInspection(List<String> ids, LocalDate since) {
        Json.Obj call = Json.obj("opp_ids", ids, "forecast_category", List.of("Commit"), "changed_since", since.toString());
        return "Inspect these Commit deals: which are at risk, why, and what changed on them since " + since + ".\n\n"
                + "1. Call get_deal_risk with " + JsonWriter.write(call) + ".\n"
                + "2. Lead with the totals: how many Commit deals and how much amount sit below a Clari score of 50.\n"
                + "3. One line per deal at risk, lowest score first: amount, close date, score and Clari's reason.\n"
                + "4. What changed since " + since + ": close dates pushed (above all out of this quarter), amounts cut, "
                + "moves into or out of Commit.\n"
                + "5. What to ask each owner.\n\n" + COMPACT;
    }

    private static String pipelineReview(LocalDate from) {
        return "Review what happened in Clari since " + from + ".\n\n"
                + "1. Call get_pipeline_changes with " + JsonWriter.write(Json.obj("start_date", from.toString())) + " (it ends now). It lists actions taken in "
                + "Clari: forecast submissions and adjustments, by whom and when.\n"
                + "2. Summarise who submitted or adjusted a forecast, the largest adjustments, and managers with no submission.\n"
                + "3. Slips: Clari cannot list deals. If opportunity ids are at hand in this conversation (a CRM report, or a "
                + "CRM tool such as a Salesforce MCP server), call get_deal_risk with those ids and "
                + JsonWriter.write(Json.obj("changed_since", from.toString()))
                + ", and report close dates pushed, amounts changed and forecast-category moves; otherwise ask me for the ids.\n\n"
                + COMPACT;
    }

    /** The ids in a pasted list, each as get_deal_risk accepts it; duplicates kept once (a set: a long paste stays linear). */
    private static List<String> ids(String text) {
        Set<String> ids = new LinkedHashSet<>();
        String[] items = ID_SEPARATORS.split(text.strip());
        for (int i = 0; i < items.length; i++) {
            if (items[i].isEmpty()) continue;
            if (!GetDealRisk.OPP_ID.matcher(items[i]).matches()) {
                throw new IllegalArgumentException("opp_ids: item " + (i + 1) + " is not an opportunity id (letters, digits and - _ . : only)");
            }
            ids.add(items[i]);
        }
        if (ids.size() > GetDealRisk.MAX_IDS) throw new IllegalArgumentException("opp_ids: at most " + GetDealRisk.MAX_IDS + " ids");
        return List.copyOf(ids);
    }

    private static int days(String text) {
        if (text == null) return DEFAULT_REVIEW_DAYS;
        try {
            int days = Integer.parseInt(text);
            if (days >= 1 && days <= MAX_REVIEW_DAYS) return days;
        } catch (NumberFormatException notANumber) {
            // falls through to the one message below
        }
        throw new IllegalArgumentException("days must be a whole number from 1 to " + MAX_REVIEW_DAYS);
    }
}
