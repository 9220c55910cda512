"""Plan documents as offices have them, turned into the text the parser reads: saved web pages (the
article without the portal around it), PDF with a text layer (paragraphs rebuilt from wrapped lines) and
tables of tasks (序号 / 工作任务 / 牵头单位 / 责任单位 / 完成时限) in Word documents and web pages."""
