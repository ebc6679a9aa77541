package dev.layerwise.report;

import dev.layerwise.compare.Comparison;
import dev.layerwise.compare.DeterminismResult;
import dev.layerwise.compare.StepDeterminism;
import dev.layerwise.compare.StepResult;
import java.io.StringWriter;
import javax.xml.stream.XMLOutputFactory;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamWriter;

/** junit.xml: one testcase per step; failing steps fail with their deciding metric and diagnosis. */
public final class JunitReport {
    private JunitReport() {
    }

    public static String render(Comparison c) {
        return xml(w -> {
            long failures = c.comparable() ? c.steps().stream().filter(s -> s.verdict().isFailing()).count()
                    + (c.coverageTooLow() ? 1 : 0) : 1;
            long skipped = c.steps().stream().filter(s -> !s.inBoth()).count();
            int tests = c.comparable() ? c.steps().size() + 1 : 1;
            suite(w, "layerwise.compare " + c.reference().label() + " vs " + c.candidate().label(), tests, failures, skipped);
            if (c.coverage() != null) {
                coverageProperties(w, c);
            }
            if (!c.comparable()) {
                testcase(w, "layerwise.compare", "comparable", "not comparable", c.notComparable(), false);
            } else {
                // the coverage is a test of its own: a gate on --min-coverage fails here, and the passing case
                // still says how much of the reference was compared
                coverageTestcase(w, c);
            }
            for (StepResult r : c.steps()) {
                String diag = StepCells.diagnoses(c, r);
                String detail = StepCells.deviation(r) + (diag.isEmpty() ? "" : "\n" + diag);
                if (r.verdict().isFailing()) {
                    String msg = r.verdict().jsonName() + ": " + r.reason() + (diag.isEmpty() ? "" : " — " + diag);
                    testcase(w, "layerwise.compare", r.name(), msg, detail, false);
                } else if (!r.inBoth()) {
                    testcase(w, "layerwise.compare", r.name(), r.reason(), null, true);
                } else {
                    testcase(w, "layerwise.compare", r.name(), null, null, false);
                }
            }
            w.writeEndElement();
        });
    }

    public static String render(DeterminismResult d) {
        return xml(w -> {
            long failures = d.steps().stream().filter(s -> !s.identical()).count();
            suite(w, "layerwise.determinism", d.steps().size(), failures, 0);
            for (StepDeterminism s : d.steps()) {
                testcase(w, "layerwise.determinism", s.name(), s.identical() ? null : "nondeterministic: " + s.note()
                        + " (basis " + s.basis() + ", spread " + StepCells.spread(s.spread()) + ")", null, false);
            }
            w.writeEndElement();
        });
    }

    private interface Body {
        void write(XMLStreamWriter w) throws XMLStreamException;
    }

    private static String xml(Body body) {
        StringWriter out = new StringWriter();
        try {
            XMLStreamWriter w = XmlEscape.writer(XMLOutputFactory.newFactory().createXMLStreamWriter(out));
            w.writeStartDocument("UTF-8", "1.0");
            w.writeCharacters("\n");
            body.write(w);
            w.writeEndDocument();
            w.close();
        } catch (XMLStreamException e) {
            throw new IllegalStateException(e);
        }
        return out + "\n";
    }

    private static void suite(XMLStreamWriter w, String name, long tests, long failures, long skipped)
            throws XMLStreamException {
        w.writeStartElement("testsuite");
        w.writeAttribute("name", name);
        w.writeAttribute("tests", String.valueOf(tests));
        w.writeAttribute("failures", String.valueOf(failures));
        w.writeAttribute("errors", "0");
        w.writeAttribute("skipped", String.valueOf(skipped));
        w.writeCharacters("\n");
    }

    private static void coverageProperties(XMLStreamWriter w, Comparison c) throws XMLStreamException {
        w.writeCharacters("  ");
        w.writeStartElement("properties");
        property(w, "coverage.compared", String.valueOf(c.coverage().compared()));
        property(w, "coverage.reference_steps", String.valueOf(c.coverage().referenceSteps()));
        property(w, "coverage.min", String.valueOf(c.minCoverage()));
        property(w, "coverage", c.coverage().describe());
        w.writeEndElement();
        w.writeCharacters("\n");
    }

    private static void property(XMLStreamWriter w, String name, String value) throws XMLStreamException {
        w.writeEmptyElement("property");
        w.writeAttribute("name", name);
        w.writeAttribute("value", value);
    }

    private static void coverageTestcase(XMLStreamWriter w, Comparison c) throws XMLStreamException {
        if (c.coverageTooLow()) {
            testcase(w, "layerwise.compare", "coverage", "insufficient coverage: " + c.coverageShortfall(),
                    c.coverage().describe(), false);
            return;
        }
        w.writeCharacters("  ");
        w.writeStartElement("testcase");
        w.writeAttribute("classname", "layerwise.compare");
        w.writeAttribute("name", "coverage");
        w.writeStartElement("system-out");
        w.writeCharacters(c.coverage().describe());
        w.writeEndElement();
        w.writeEndElement();
        w.writeCharacters("\n");
    }

    private static void testcase(XMLStreamWriter w, String cls, String name, String failure, String detail,
            boolean skipped) throws XMLStreamException {
        w.writeCharacters("  ");
        w.writeStartElement("testcase");
        w.writeAttribute("classname", cls);
        w.writeAttribute("name", name);
        if (skipped) {
            w.writeEmptyElement("skipped");
            w.writeAttribute("message", failure);
        } else if (failure != null) {
            w.writeStartElement("failure");
            w.writeAttribute("message", failure);
            if (detail != null) {
                w.writeCharacters(detail);
            }
            w.writeEndElement();
        }
        w.writeEndElement();
        w.writeCharacters("\n");
    }
}
