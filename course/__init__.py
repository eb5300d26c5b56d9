"""The course around the notebooks: syllabi, lecture figures (`python -m course.figures`), answer keys, the
student and nbgrader releases (`python -m course.release`), and notes for hosting. See course/README.md."""
