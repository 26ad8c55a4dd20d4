"""The headline figures (关键数字): the room above communities, projects and funding that checks them.

Each figure has one selector, in the app that owns its rows, called by the home page, the leaders'
dashboard, both reports and `manage.py check_figures` alike, with a cut-off date and real or demo data:

- recorded compounds, buildings, households, floor area (万㎡): communities.totals.recorded_as_of, read
  through projects.selectors.programme_summary (its "recorded" and floor_area_wan_m2);
- compounds per eligibility verdict: communities.totals (stored per town; recorded_as_of for a past day);
- budget, allocated, disbursed, spent and balance per funding source: funding.selectors.funding_by_source
  and funding_reconciliation with cutoff=;
- projects, compounds and households started and completed: projects.selectors.indicators with cutoff=;
- overdue agency tasks per agency: projects.selectors.tasks_overdue / overdue_by_agency.

figures.check recomputes each one from the rows with its own queries and compares it with what every
page and report shows (docs/reports.md).
"""
