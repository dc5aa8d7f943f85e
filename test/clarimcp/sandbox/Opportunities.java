package clarimcp.sandbox;

import clarimcp.json.Json;
import clarimcp.json.ObjBuilder;
import clarimcp.sandbox.SandboxOrg.Change;
import clarimcp.sandbox.SandboxOrg.Opportunity;
import clarimcp.sandbox.SandboxOrg.User;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * {@code GET /opportunity?oppId=..&oppId=..[&mode=..]} [spec]: at most 100 ids; an array of
 * {@code {id, crmScore:{score,message}, fields:[{id, alias, imageUrl, value, originalValue, trend,
 * trendHistory:[{oldValue,newValue,date}]}]}} [spec] in request order (duplicates once), or the same list
 * wrapped as {@code {"opportunities":[...]}} [tap] behind {@link Knobs#wrapOpportunities}; unknown ids are
 * absent. A 15-character Salesforce id is answered under its 18-character form (the note: Clari may do so;
 * which form Clari keys on is not published). Errors are {@code [{statusCode, reaspnPhrase (sic),
 * description, details}]} [spec]; {@code mode} (default OPPORTUNITY_MODE_ID [spec]) is accepted and ignored.
 *
 * <p>Field ids: only {@code opportunity.amount} is published [spec]; the others ({@code opportunity.<name>})
 * are guesses, as are the value shapes, which deliberately differ by field so tolerant readers must cope
 * (the spec says a value "can be any value - string, number, boolean, array or object"): name, stage and
 * forecast category are scalars; amount is {@code {"amount":N,"currency":"USD"}}; close date is
 * {@code {"value":"2026-06-30"}}; owner is {@code {"value":"<name>","id":"<crm user id>","email":"<email>"}}. A field's trend
 * (values not published) compares its value with its {@code originalValue} (before any edit): UP when larger,
 * later, or further along (Closed Lost ranks lowest); FLAT when equal.
 */
final class Opportunities {
    /** The spec's {@code maxItems} for oppId. */
    static final int MAX_IDS = 100;
    static final List<String> FIELD_IDS = List.of("opportunity.name", "opportunity.amount", "opportunity.stage",
            "opportunity.closeDate", "opportunity.forecastCategory", "opportunity.owner");
    /** The spec's only imageUrl example; what Clari puts there for other fields is unknown. */
    static final String IMAGE_URL = "/images/CardOppSunny@2x.png";
    private static final Pattern SALESFORCE_15 = Pattern.compile("[A-Za-z0-9]{15}");
    private static final Pattern GUID = Pattern.compile("[0-9A-Fa-f]{8}(-[0-9A-Fa-f]{4}){3}-[0-9A-Fa-f]{12}");

    private final SandboxOrg org;
    private final Knobs knobs;

    Opportunities(SandboxOrg org, Knobs knobs) {
        this.org = org;
        this.knobs = knobs;
    }

    Reply handle(String rawQuery) {
        List<String> ids = Reply.params(rawQuery).getOrDefault("oppId", List.of());
        // [spec]: the 4XX example is exactly this one.
        if (ids.isEmpty()) return error(400, "Bad Request", "invalid query parameter", "oppId is required");
        if (ids.size() > MAX_IDS) {
            return error(400, "Bad Request", "invalid query parameter", "at most " + MAX_IDS + " oppId values are allowed"); // [guess] wording
        }
        Map<String, Opportunity> byId = new LinkedHashMap<>();
        for (String id : ids) {
            Opportunity o = find(id);
            if (o != null) byId.putIfAbsent(o.id(), o);
        }
        List<Json> out = new ArrayList<>();
        for (Opportunity o : byId.values()) out.add(render(o));
        Json list = new Json.Arr(out);
        return Reply.json(200, knobs.wrapOpportunities() ? Json.obj("opportunities", list) : list);
    }

    /** The deal an id names: exact, a 15-character Salesforce id's 18 form, or (knob) another CRM's id. */
    private Opportunity find(String id) {
        Opportunity o = org.opportunity(id);
        if (o == null && SALESFORCE_15.matcher(id).matches()) o = org.opportunity(OrgSeed.salesforce18(id));
        if (o != null || !knobs.otherCrmIds()) return o;
        for (Opportunity other : org.otherCrmOpportunities()) {
            // [guess] GUIDs are case-insensitive in Dynamics; answered in the stored (lower) case.
            if (other.id().equals(id) || GUID.matcher(id).matches() && other.id().equalsIgnoreCase(id)) return other;
        }
        return null;
    }

    /** [spec] the opportunity error body: an array of {statusCode, reaspnPhrase (sic), description, details}. */
    static Reply error(int status, String phrase, String description, String details) {
        return Reply.json(status, ObjBuilder.arr(Json.obj("statusCode", status, "reaspnPhrase", phrase,
                "description", description, "details", details)));
    }

    private Json render(Opportunity o) {
        Map<String, String> now = Map.of("amount", Long.toString(o.amount()), "stage", o.stage(),
                "closeDate", o.closeDate().toString(), "forecastCategory", o.forecastCategory(), "owner", o.ownerId());
        List<Json> fields = List.of(
                field("opportunity.name", "Opportunity Name", new Json.Str(o.name()), new Json.Str(o.name()), "FLAT", Json.Arr.EMPTY),
                field(o, "opportunity.amount", "Amount", "amount", now),
                field(o, "opportunity.stage", "Stage", "stage", now),
                field(o, "opportunity.closeDate", "Close Date", "closeDate", now),
                field(o, "opportunity.forecastCategory", "Forecast Category", "forecastCategory", now),
                field(o, "opportunity.owner", "Opportunity Owner", "owner", now));
        return Json.obj("id", o.id(),
                "crmScore", Json.obj("score", o.crmScore(), "message", o.crmScoreMessage()),
                "fields", new Json.Arr(fields));
    }

    private Json field(Opportunity o, String id, String alias, String key, Map<String, String> now) {
        String original = now.get(key);
        List<Json> history = new ArrayList<>();
        for (Change c : o.history()) {
            if (!c.field().equals(key)) continue;
            if (history.isEmpty()) original = c.oldValue();
            history.add(Json.obj("oldValue", value(key, c.oldValue()), "newValue", value(key, c.newValue()),
                    "date", c.at().toEpochMilli()));
        }
        return field(id, alias, value(key, now.get(key)), value(key, original), trend(key, original, now.get(key)),
                new Json.Arr(history));
    }

    private static Json field(String id, String alias, Json value, Json original, String trend, Json.Arr history) {
        return Json.obj("id", id, "alias", alias, "imageUrl", IMAGE_URL, "value", value, "originalValue", original,
                "trend", trend, "trendHistory", history);
    }

    private Json value(String key, String v) {
        return switch (key) {
            case "amount" -> Json.obj("amount", Long.parseLong(v), "currency", "USD");
            case "closeDate" -> Json.obj("value", v);
            case "owner" -> {
                User u = org.user(v);
                // [guess] email too, so that get_deal_risk's owner filter can be tested on either
                yield Json.obj("value", u.name(), "id", u.crmUserId(), "email", u.email());
            }
            default -> new Json.Str(v);
        };
    }

    private static String trend(String key, String original, String now) {
        int cmp = switch (key) {
            case "amount" -> Long.compare(Long.parseLong(now), Long.parseLong(original));
            case "closeDate" -> LocalDate.parse(now).compareTo(LocalDate.parse(original));
            case "stage" -> Integer.compare(stageRank(now), stageRank(original));
            case "forecastCategory" -> Integer.compare(SandboxOrg.CATEGORIES.indexOf(now), SandboxOrg.CATEGORIES.indexOf(original));
            default -> 0;
        };
        return cmp > 0 ? "UP" : cmp < 0 ? "DOWN" : "FLAT";
    }

    /** Sales order, with Closed Lost below everything (a lost deal went down, not up). */
    private static int stageRank(String stage) {
        return stage.equals("Closed Lost") ? -1 : SandboxOrg.STAGES.indexOf(stage);
    }
}
