package dev.watchdog.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TemplateTest {

    @Test
    @DisplayName("placeholders inside string literals are substituted")
    void renders() {
        Template t = Template.parse("sum(rate(x{service=\"{{service}}\",env='{{ environment }}'}[5m]))");
        assertEquals(Set.of("service", "environment"), t.variables());
        assertEquals("sum(rate(x{service=\"api\",env='prod'}[5m]))",
                t.render(Map.of("service", "api", "environment", "prod")));
    }

    @Test
    @DisplayName("a placeholder outside a string literal is refused when the rule is loaded")
    void outsideString() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Template.parse("sum(x) > {{threshold}}"));
        assertTrue(e.getMessage().contains("{{threshold}}"), e.getMessage());
    }

    @Test
    @DisplayName("an escaped quote does not end the string literal")
    void escapedQuote() {
        assertThrows(IllegalArgumentException.class, () -> Template.parse("x{a=\"\\\"\"} + {{service}}"));
        Template.parse("x{a=\"\\\"{{service}}\"}");
    }

    @Test
    @DisplayName("a stray '{{' that is no placeholder is refused")
    void stray() {
        assertThrows(IllegalArgumentException.class, () -> Template.parse("x{a=\"{{not valid}}\"}"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"api\"} or vector(1) #", "a\\b", "it's", "back`tick", "line\nbreak", "nul\u0000"})
    @DisplayName("values that could break out of a string literal are refused")
    void unsafe(String value) {
        assertNotNull(Template.unsafeBecause(value));
        Template t = Template.parse("x{s=\"{{service}}\"}");
        assertThrows(IllegalArgumentException.class, () -> t.render(Map.of("service", value)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"api", "checkout-v2", "eu-1.prod", "team/api", "Ünïcode ok"})
    void safe(String value) {
        assertNull(Template.unsafeBecause(value));
    }
}
