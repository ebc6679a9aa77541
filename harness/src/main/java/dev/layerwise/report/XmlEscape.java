package dev.layerwise.report;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import javax.xml.stream.XMLStreamWriter;

/**
 * Text from a trace, made writable in junit.xml. The StAX writer escapes markup characters but passes characters
 * that XML 1.0 forbids (ESC, NUL, ...), which would make the file unreadable to every CI server; {@link #writer}
 * makes them visible with {@link SafeText} in every attribute value, text node, CDATA section and comment.
 */
final class XmlEscape {
    private XmlEscape() {
    }

    /** A writer that escapes everything written through it; attribute values on one line, text keeps its lines. */
    static XMLStreamWriter writer(XMLStreamWriter target) {
        return (XMLStreamWriter) Proxy.newProxyInstance(XMLStreamWriter.class.getClassLoader(),
                new Class<?>[] {XMLStreamWriter.class}, (proxy, method, args) -> {
                    Object[] safe = args;
                    if (args != null && args.length > 0 && args[args.length - 1] instanceof String last) {
                        safe = args.clone();
                        safe[args.length - 1] = switch (method.getName()) {
                            case "writeAttribute" -> SafeText.visible(last);
                            case "writeCharacters", "writeCData" -> SafeText.visibleKeepingLineBreaks(last);
                            case "writeComment" -> SafeText.visible(last).replace("--", "- -");
                            default -> last;
                        };
                    } else if (method.getName().equals("writeCharacters") && args != null && args.length == 3) {
                        String text = new String((char[]) args[0], (int) args[1], (int) args[2]);
                        return invoke(target, XMLStreamWriter.class.getMethod("writeCharacters", String.class),
                                new Object[] {SafeText.visibleKeepingLineBreaks(text)});
                    }
                    return invoke(target, method, safe);
                });
    }

    private static Object invoke(XMLStreamWriter target, java.lang.reflect.Method method, Object[] args)
            throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
