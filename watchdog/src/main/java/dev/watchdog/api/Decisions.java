package dev.watchdog.api;

import dev.watchdog.action.Runner;
import dev.watchdog.config.People;
import dev.watchdog.config.Person;
import dev.watchdog.incident.Incident;
import dev.watchdog.machine.Input;
import dev.watchdog.machine.Watch;
import dev.watchdog.receiver.Choice;
import dev.watchdog.release.ReleaseException;
import io.vertx.core.Future;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * A button pressed in a chat, made a decision: the person it maps to, checked for their role and
 * scope and against the incident the button was offered for, then recorded with their name through
 * the machine's inputs. Every refusal is said politely, for the chat.
 */
final class Decisions {

    private final Runner runner;

    Decisions(Runner runner) {
        this.runner = runner;
    }

    /** What became of a press: done or not, in words for the chat, and the choices left. */
    record Said(boolean done, String text, List<Choice> left) {
        static Said refused(String text) {
            return new Said(false, text, List.of());
        }
    }

    /**
     * Decides {@code pressed} for whoever {@code id} is in {@code where} ("Slack", "Telegram");
     * {@code there} reads a person's id in that place.
     */
    Future<Said> decide(Choice.Pressed pressed, Map<String, Person> people, Function<Person, @Nullable String> there,
                        String id, String where) {
        Optional<Map.Entry<String, Person>> who = People.find(people, there, id);
        if (who.isEmpty()) {
            return Future.succeededFuture(Said.refused("Sorry, you are not among the people who may decide on releases"
                    + " here. Ask whoever runs the release watchdog to add your " + where + " id (" + id + ") under people."));
        }
        String name = who.get().getKey();
        return runner.watch(pressed.releaseId())
                .compose(w -> allowed(w, pressed, who.get().getValue(), name)
                        .map(no -> Future.succeededFuture(Said.refused(no)))
                        .orElseGet(() -> runner.decide(w.id(), input(pressed.choice(), name, where))
                                .map(x -> new Said(true, done(pressed.choice()) + " by " + name + " in " + where,
                                        pressed.choice().after()))))
                .recover(e -> Future.succeededFuture(Said.refused(e instanceof ReleaseException
                        ? "Not done: " + e.getMessage() : "Not done: the watchdog could not record it; try again")));
    }

    /** Why this person may not make this choice on this release now, if they may not. */
    private static Optional<String> allowed(Watch w, Choice.Pressed pressed, Person person, String name) {
        if (!person.decides(w.release().service(), w.release().environment())) {
            return Optional.of("Sorry, " + name + " may not decide on " + w.release().service() + " in "
                    + w.release().environment() + " (role " + person.role().label() + ").");
        }
        Incident inc = w.incident();
        if (inc == null || !inc.id().equals(pressed.incidentId())) {
            return Optional.of("This page is about incident " + pressed.incidentId() + ", which is not the release's"
                    + " current one: nothing was done. Open the release to see where it stands.");
        }
        return Optional.empty();
    }

    private static Input input(Choice choice, String name, String where) {
        return switch (choice) {
            case ACK -> new Input.Ack(name, "acknowledged in " + where);
            case ROLLBACK -> new Input.DecideRollback(name, "decided in " + where);
            case KEEP -> new Input.Accept(name, "kept in " + where);
        };
    }

    private static String done(Choice choice) {
        return switch (choice) {
            case ACK -> "Acknowledged";
            case ROLLBACK -> "Rollback decided";
            case KEEP -> "Release kept";
        };
    }
}
