package dev.watchdog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.source.tree.CompilationUnitTree;
import com.sun.source.tree.ExpressionStatementTree;
import com.sun.source.tree.ExpressionTree;
import com.sun.source.tree.LambdaExpressionTree;
import com.sun.source.tree.MemberSelectTree;
import com.sun.source.tree.MethodInvocationTree;
import com.sun.source.util.JavacTask;
import com.sun.source.util.TreePath;
import com.sun.source.util.TreePathScanner;
import com.sun.source.util.Trees;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import javax.lang.model.element.Element;
import javax.lang.model.element.ExecutableElement;
import javax.lang.model.element.Modifier;
import javax.lang.model.type.DeclaredType;
import javax.lang.model.type.TypeKind;
import javax.lang.model.type.TypeMirror;
import javax.lang.model.util.Types;
import javax.tools.JavaCompiler;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * No future is dropped: a call whose result is a Vert.x {@code Future}, made as a statement of its
 * own, loses its failure without a trace (nothing logs it, nothing waits for it), unless the chain
 * ends it at an edge with {@code onComplete} or {@code onFailure}. The main code is read by javac
 * here, with its types resolved, and every such statement is named by file and line.
 */
class DroppedFuturesTest {

    /**
     * What may be dropped: a map's previous value (a Future kept in a map), and the end of an answer
     * to a client, of a request given up or of a connection dropped: their failure means only that
     * the other side is gone.
     */
    static boolean answer(Element method) {
        String owner = method == null ? "" : method.getEnclosingElement().toString();
        String name = method == null ? "" : method.getSimpleName().toString();
        return owner.startsWith("java.") || (owner.equals("io.vertx.core.http.HttpServerResponse") && name.equals("end"))
                || (owner.equals("io.vertx.core.http.HttpClientRequest") && name.equals("reset"))
                || (owner.equals("io.vertx.core.http.HttpConnection") && name.equals("close"));
    }

    /** Whether the statement's chain of calls handles a failure: onComplete or onFailure somewhere in it. */
    static boolean handled(MethodInvocationTree call) {
        for (ExpressionTree e = call; e instanceof MethodInvocationTree m; ) {
            ExpressionTree select = m.getMethodSelect();
            if (!(select instanceof MemberSelectTree member)) {
                return false;
            }
            String name = member.getIdentifier().toString();
            if (name.equals("onComplete") || name.equals("onFailure")) {
                return true;
            }
            e = member.getExpression();
        }
        return false;
    }

    @Test
    @DisplayName("no statement in the main code drops a Future")
    void noneDropped() throws IOException {
        List<Path> sources;
        try (Stream<Path> files = Files.walk(Path.of("src/main/java"))) {
            sources = files.filter(f -> f.toString().endsWith(".java")).toList();
        }
        assertTrue(sources.size() > 100, "the main sources are found: " + sources.size());
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        StandardJavaFileManager files = javac.getStandardFileManager(null, null, StandardCharsets.UTF_8);
        JavacTask task = (JavacTask) javac.getTask(null, files, d -> { }, List.of("-proc:none", "-classpath",
                System.getProperty("java.class.path")), null, files.getJavaFileObjectsFromPaths(sources));
        Iterable<? extends CompilationUnitTree> units = task.parse();
        task.analyze();
        Trees trees = Trees.instance(task);
        Types types = task.getTypes();
        TypeMirror future = types.erasure(task.getElements().getTypeElement("io.vertx.core.Future").asType());
        List<String> dropped = new ArrayList<>();
        for (CompilationUnitTree unit : units) {
            new TreePathScanner<Void, Void>() {
                @Override
                public Void visitExpressionStatement(ExpressionStatementTree statement, Void x) {
                    check(statement.getExpression());
                    return super.visitExpressionStatement(statement, x);
                }

                /** A lambda whose body is an expression, where its interface returns nothing, drops its value too. */
                @Override
                public Void visitLambdaExpression(LambdaExpressionTree lambda, Void x) {
                    if (lambda.getBodyKind() == LambdaExpressionTree.BodyKind.EXPRESSION
                            && returnsNothing(trees.getTypeMirror(getCurrentPath()))) {
                        check((ExpressionTree) lambda.getBody());
                    }
                    return super.visitLambdaExpression(lambda, x);
                }

                private void check(ExpressionTree expression) {
                    if (!(expression instanceof MethodInvocationTree call)) {
                        return;
                    }
                    TreePath path = new TreePath(getCurrentPath(), call);
                    TypeMirror type = trees.getTypeMirror(path);
                    if (type != null && types.isAssignable(types.erasure(type), future) && !handled(call)
                            && !answer(trees.getElement(path))) {
                        long line = unit.getLineMap().getLineNumber(trees.getSourcePositions().getStartPosition(unit, call));
                        dropped.add(Path.of(unit.getSourceFile().toUri()).getFileName() + ":" + line + ": " + call);
                    }
                }

                private boolean returnsNothing(TypeMirror functional) {
                    if (!(functional instanceof DeclaredType declared)) {
                        return false;
                    }
                    return declared.asElement().getEnclosedElements().stream().filter(ExecutableElement.class::isInstance)
                            .map(ExecutableElement.class::cast)
                            .filter(m -> m.getModifiers().contains(Modifier.ABSTRACT))
                            .anyMatch(m -> m.getReturnType().getKind() == TypeKind.VOID);
                }
            }.scan(unit, null);
        }
        assertEquals(List.of(), dropped, "futures dropped: return them, compose them, or end them with onComplete/onFailure");
    }
}
