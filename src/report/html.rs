//! report.html (placeholder while charts compile)
