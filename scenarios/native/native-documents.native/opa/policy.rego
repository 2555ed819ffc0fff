# native-documents, written by hand in Rego v1 (native mode of the OPA adapter).
# Same policy as the scenario's neutral model:
#   document: edit = owner | editor; view = edit | viewer | parent->view
#   folder:   view = viewer
# Facts are in data.json, which the adapter PUTs at data.native:
#   documents[id] = {owners, editors, viewers, folder}; folders[id] = {viewers}
# Input is the AuthZEN request: {subject, action, resource, context}.
package authzbench

default allow := false

allow if {
	input.action.name == "edit"
	edit
}

allow if {
	input.action.name == "view"
	view
}

# Only users hold grants.
user := input.subject.id if input.subject.type == "user"

# Documents
document := data.native.documents[input.resource.id] if input.resource.type == "document"

edit if user in document.owners

edit if user in document.editors

view if edit

view if user in document.viewers

view if folder_view(document.folder) # parent->view

# Folders
view if {
	input.resource.type == "folder"
	folder_view(input.resource.id)
}

folder_view(id) if user in data.native.folders[id].viewers
