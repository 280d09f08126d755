"""Documents to file: the final report, the grant decision letter and the printed programme as
archivable PDFs (PDF/A, fonts embedded), rendered on the server from the same data and template
partials as their pages. The feature stands above the grant, the survey and the follow-up log
and only reads them."""

from flask import Blueprint

bp = Blueprint("documents", __name__)
