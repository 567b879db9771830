package dev.watchdog.machine;

import org.jspecify.annotations.Nullable;

/** How an effect ended: delivered, given up, or dropped as no longer wanted; after how many attempts. */
public record Answer(OutboxEntry.Status status, int attempts, int httpStatus, @Nullable String error) {

    public boolean delivered() {
        return status == OutboxEntry.Status.SENT;
    }
}
