package dev.watchdog.agent;

import java.nio.file.Path;
import java.util.List;

/** The action a call matched, every step filled: built in full before anything runs. Pure. */
record Plan(String action, List<Task> tasks) {

    Plan {
        tasks = List.copyOf(tasks);
    }

    /** The first matching action with its steps filled; 422 if none matches or a value cannot be used. */
    static Plan of(AgentConfig config, Call call, Path configDir) {
        AgentConfig.Action action = config.actionFor(call).orElseThrow(() -> AgentException.cannotAct(null,
                "no action matches service '" + call.service() + "' in environment '" + call.environment() + "'"));
        var values = call.values();
        return new Plan(action.name(), action.steps().stream().map(s -> Task.of(s, values, configDir)).toList());
    }
}
