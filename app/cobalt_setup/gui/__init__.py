"""The Qt layer: a QWizard that shows and edits a `SetupSession`. Nothing below it imports Qt."""
