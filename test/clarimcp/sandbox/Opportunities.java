package clarimcp.sandbox;

import clarimcp.json.Json;
import clarimcp.sandbox.SandboxOrg.Change;
import clarimcp.sandbox.SandboxOrg.Opportunity;
import clarimcp.sandbox.SandboxOrg.User;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /opportunity?oppId=..&oppId=..}: an array of {@code {id, crmScore:{score,message}, fields:[...]}}
 * in request order (duplicates once); unknown ids are absent. Value shapes deliberately differ by field, as
 * tolerant readers must cope: name, stage and forecast category are scalars; amount is
 * {@code {"amount":N,"currency":"USD"}}; close date is {@code {"value":"2026-06-30"}}; owner is
 * {@code {"value":"<name>","id":"<crm user id>"}}. A field's trend compares its value with its
 * {@code originalValue} (before any edit): UP when larger, later, or further along (Closed Lost ranks lowest); FLAT when equal.
 */
final class Opportunities {
    static final int MAX_IDS = 100;
    static final List<String> FIELD_IDS = List.of("opportunity.name", "opportunity.amount", "opportunity.stage",
            "opportunity.closeDate", "opportunity.forecastCategory", "opportunity.owner");

    private final SandboxOrg org;

    Opportunities(SandboxOrg org) {
        this.org = org;
    }

    Reply handle(String rawQuery) {
        List<String> ids = Reply.params(rawQuery).getOrDefault("oppId", List.of());
        if (ids.isEmpty()) return Reply.errors(400, "At least one oppId is required");
        if (ids.size() > MAX_IDS) return Reply.errors(400, "At most " + MAX_IDS + " oppId values are allowed per request");
        List<Json> out = new ArrayList<>();
        for (String id : new LinkedHashSet<>(ids)) {
            Opportunity o = org.opportunity(id);
            if (o != null) out.add(render(o));
        }
        return Reply.json(200, new Json.Arr(out));
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
        return Json.Obj.builder()
                .put("id", o.id())
                .put("crmScore", Json.Obj.builder().put("score", o.crmScore()).put("message", o.crmScoreMessage()).build())
                .put("fields", new Json.Arr(fields))
                .build();
    }

    private Json field(Opportunity o, String id, String alias, String key, Map<String, String> now) {
        String original = now.get(key);
        List<Json> history = new ArrayList<>();
        for (Change c : o.history()) {
            if (!c.field().equals(key)) continue;
            if (history.isEmpty()) original = c.oldValue();
            history.add(Json.Obj.builder().put("oldValue", value(key, c.oldValue())).put("newValue", value(key, c.newValue()))
                    .put("date", c.at().toEpochMilli()).build());
        }
        return field(id, alias, value(key, now.get(key)), value(key, original), trend(key, original, now.get(key)),
                new Json.Arr(history));
    }

    private static Json field(String id, String alias, Json value, Json original, String trend, Json.Arr history) {
        return Json.Obj.builder().put("id", id).put("alias", alias).put("value", value).put("originalValue", original)
                .put("trend", trend).put("trendHistory", history).build();
    }

    private Json value(String key, String v) {
        return switch (key) {
            case "amount" -> Json.Obj.builder().put("amount", Long.parseLong(v)).put("currency", "USD").build();
            case "closeDate" -> Json.Obj.builder().put("value", v).build();
            case "owner" -> {
                User u = org.user(v);
                yield Json.Obj.builder().put("value", u.name()).put("id", u.crmUserId()).build();
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
