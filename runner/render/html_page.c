/*
 * render/html_page.c — the report page: head and style, a table of
 * contents, a section per input, the foot.
 *
 * Nothing on the page is fetched: the style is here, the charts are inline
 * SVG, there is no script, font, image or link to anything outside the page
 * (the only links are to its own sections), so it opens the same from a CI
 * artifact, a mail attachment or a machine without a network.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "engine/version.h"
#include "render/html_int.h"

static const char style[] =
	"body{font:15px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,'DejaVu Sans',sans-serif;color:#1d1d1f;"
	"margin:0 auto;max-width:1100px;padding:0 20px 40px}\n"
	"h1{font-size:1.7em;margin:1em 0 .2em}h2{font-size:1.35em;margin:2em 0 .5em;padding-top:.6em;"
	"border-top:2px solid #ddd}h3{font-size:1.1em;margin:1.6em 0 .4em}\n"
	".lede{color:#555;margin:0 0 1em}\n"
	"nav ol{columns:2;padding-left:1.4em;margin:.4em 0}\n"
	"table{border-collapse:collapse;font-size:.88em;margin:.4em 0 .8em}\n"
	"th,td{padding:3px 8px;border-bottom:1px solid #e6e6e6;text-align:left;vertical-align:top}\n"
	"thead th{border-bottom:2px solid #bbb;white-space:nowrap;position:sticky;top:0;background:#fff}\n"
	"td.num{text-align:right;white-space:nowrap;font-variant-numeric:tabular-nums}\n"
	"table.context th{color:#555;font-weight:normal;white-space:nowrap}\n"
	"table.summary,table.samples,table.verdict-rows{display:block;overflow-x:auto}\n"
	".bad,.verdict-regression td.judgement{color:#be0032;font-weight:600}\n"
	".verdict-improvement td.judgement{color:#007a55;font-weight:600}\n"
	".verdict-inconclusive td.judgement{color:#9a6700}\n"
	"tr.status-not_run td{color:#888}\n"
	".overall{display:inline-block;padding:4px 10px;border-radius:4px;font-weight:600;background:#eef4fb}\n"
	".overall.verdict-regression{background:#fbe3e3;color:#8f0025}\n"
	".overall.verdict-inconclusive{background:#fdf1d6}\n"
	"figure.chart{margin:1.2em 0 2em}figure.chart svg{display:block;max-width:100%;height:auto}\n"
	"figcaption{max-width:820px;color:#333;margin-top:.4em}\n"
	"details.config{margin:.3em 0;border:1px solid #e3e3e3;border-radius:4px;padding:.3em .7em}\n"
	"details.config summary{cursor:pointer}\n"
	".note{color:#555;font-size:.88em}code{font-size:.92em;word-break:break-all}\n"
	"footer{margin-top:3em;color:#777;font-size:.85em;border-top:1px solid #ddd;padding-top:.6em}\n";

static void contents(FILE *f, const struct lb_html_report *r)
{
	fputs("<nav aria-label=\"contents\"><ol>\n", f);
	for (size_t i = 0; i < r->ninputs; i++) {
		const struct lb_html_input *in = &r->inputs[i];
		char sec[32];
		html_section_id(sec, sizeof sec, i);
		fprintf(f, "<li><a href=\"#%s\">%s: ", sec, in->verdict ? "Verdict" : "Result");
		html_text(f, in->path);
		fputs("</a>", f);
		if (in->result)
			fprintf(f, " — <a href=\"#%s-summary-h\">summary</a>, <a href=\"#%s-charts\">charts</a>, "
				   "<a href=\"#%s-details\">details</a>",
				sec, sec, sec);
		fputs("</li>\n", f);
	}
	fputs("</ol></nav>\n", f);
}

int lb_html_emit(FILE *f, const struct lb_html_report *r)
{
	size_t nresults = 0, nverdicts = 0;
	for (size_t i = 0; i < r->ninputs; i++)
		nresults += r->inputs[i].result != NULL, nverdicts += r->inputs[i].verdict != NULL;
	char stamp[64] = "?";
	time_t now = time(NULL);
	struct tm tm;
	if (gmtime_r(&now, &tm) != NULL)
		strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &tm);

	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
	      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n",
	      f);
	fprintf(f, "<meta name=\"generator\" content=\"lockbench %s\">\n<title>", LB_VERSION);
	html_text(f, r->title);
	fprintf(f, "</title>\n<style>\n%s</style>\n</head>\n<body>\n<header>\n<h1>", style);
	html_text(f, r->title);
	fputs("</h1>\n<p class=\"lede\">", f);
	html_textf(f, "%zu result%s, %zu verdict%s", nresults, nresults == 1 ? "" : "s", nverdicts,
		   nverdicts == 1 ? "" : "s");
	if (r->filter) {
		fputs("; only the configs of <code>--filter ", f);
		html_text(f, r->filter);
		fputs("</code>", f);
	}
	html_textf(f, ". Made by lockbench %s on %s.", LB_VERSION, stamp);
	fputs("</p>\n", f);
	contents(f, r);
	fputs("</header>\n<main>\n", f);
	for (size_t i = 0; i < r->ninputs; i++) {
		if (r->inputs[i].verdict)
			html_verdict_section(f, &r->inputs[i], i);
		else
			html_result_section(f, &r->inputs[i], i);
	}
	fputs("</main>\n<footer>", f);
	html_textf(f, "lockbench %s (commit %s): %s", LB_VERSION, LB_GIT_COMMIT, r->generated_by ? r->generated_by : "");
	fputs("</footer>\n</body>\n</html>\n", f);
	if (ferror(f)) {
		if (errno == 0)
			errno = EIO;
		return -1;
	}
	return 0;
}
