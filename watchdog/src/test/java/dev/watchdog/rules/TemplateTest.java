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

    @Test
    @DisplayName("a text without placeholders renders as written; the text is what the rule shows")
    void plain() {
        Template t = Template.parse("sum(rate(http_requests_total[5m])) by (service)");
        assertEquals(Set.of(), t.variables());
        assertEquals("sum(rate(http_requests_total[5m])) by (service)", t.render(Map.of()));
        assertEquals("sum(rate(http_requests_total[5m])) by (service)", t.toString());
    }

    @Test
    @DisplayName("a missing value is refused naming the placeholder; {{window}} takes durations only")
    void missingAndWindow() {
        Template t = Template.parse("sum(rate(x{s=\"{{service}}\"}[{{window}}]))");
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                () -> t.render(Map.of("window", "5m")));
        assertEquals("no safe value for {{service}}", missing.getMessage());
        assertEquals("sum(rate(x{s=\"api\"}[1h30m]))", t.render(Map.of("service", "api", "window", "1h30m")));
        assertThrows(IllegalArgumentException.class, () -> t.render(Map.of("service", "api", "window", "5m] or x[5m")));
    }

    @Test
    @DisplayName("a stray '{{' at the very start is refused, saying where")
    void strayAtStart() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Template.parse("{{ x"));
        assertEquals("'{{' at offset 0 is not a placeholder of the form {{name}}", e.getMessage());
    }

    @Test
    @DisplayName("inside a backtick string a backslash escapes nothing; a closed string ends before the placeholder")
    void quoting() {
        Template.parse("x{a=`\\{{service}}`}");
        assertThrows(IllegalArgumentException.class, () -> Template.parse("x{a=`\\`} + {{service}}"));
        assertThrows(IllegalArgumentException.class, () -> Template.parse("x{a=\"\"} {{service}}"));
        Template.parse("x{a='{{service}}'}");
    }

    @Test
    @DisplayName("a select value: placeholders anywhere, {{window}} nowhere, a stray '{{' refused")
    void selectValue() {
        Template v = Template.value("{{service}}-{{environment}}");
        assertEquals(Set.of("service", "environment"), v.variables());
        assertEquals("api-prod", v.render(Map.of("service", "api", "environment", "prod")));
        assertEquals("{{window}} is a duration for range selectors, not a label value",
                assertThrows(IllegalArgumentException.class, () -> Template.value("{{window}}")).getMessage());
        assertEquals("{{since_release}} is a duration for range selectors, not a label value",
                assertThrows(IllegalArgumentException.class, () -> Template.value("{{since_release}}")).getMessage());
        assertEquals("'{{' is not a placeholder of the form {{name}}",
                assertThrows(IllegalArgumentException.class, () -> Template.value("{{ 1 }}")).getMessage());
        assertEquals("prod", Template.value("prod").render(Map.of()));
    }

    @Test
    @DisplayName("why a value is refused: empty, longer than 256 characters, or a character unsafe in a string")
    void reasons() {
        assertEquals("must not be empty", Template.unsafeBecause(""));
        assertNull(Template.unsafeBecause("a".repeat(256)));
        assertEquals("must be at most 256 characters", Template.unsafeBecause("a".repeat(257)));
        assertEquals("contains a character that is not allowed in a PromQL string (quotes, backslash, control characters)",
                Template.unsafeBecause("line\u2028separator"));
        assertNotNull(Template.unsafeBecause("half \ud800 surrogate"));
    }
}
