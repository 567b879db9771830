package dev.watchdog.config;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Someone who may decide from a chat or a pager: their role, and who they are there. A button
 * pressed in Slack or Telegram is that person's decision, recorded with their name (the key under
 * {@code people:}). Optional: slack (a Slack user id, {@code U024BE7LH}), telegram (a Telegram user
 * id, {@code 123456789}), pagerduty (a PagerDuty user id, {@code PXPGF42}), scope (as a token's).
 */
public record Person(Role role, @Nullable String slack, @Nullable String telegram, @Nullable String pagerduty,
                     @Nullable Scope scope) {

    public Person {
        Objects.requireNonNull(role, "role is required");
        if (slack != null && !slack.matches("[UW][A-Z0-9]{2,40}")) {
            throw new IllegalArgumentException("slack must be a Slack user id, such as U024BE7LH");
        }
        if (telegram != null && !telegram.matches("\\d{1,20}")) {
            throw new IllegalArgumentException("telegram must be a Telegram user id, such as 123456789");
        }
        if (pagerduty != null && !pagerduty.matches("P[A-Z0-9]{2,20}")) {
            throw new IllegalArgumentException("pagerduty must be a PagerDuty user id, such as PXPGF42");
        }
    }

    /** Whether this person may acknowledge and decide on a release of this service and environment. */
    public boolean decides(String service, String environment) {
        return role.includes(Role.ONCALL) && (scope == null || scope.allows(service, environment));
    }
}
